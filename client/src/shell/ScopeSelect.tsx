/** The scope picker every analysis page shows, over the role-aware choices from scopes.ts. */
import type { ScopeChoice } from './scopes.js';

export function ScopeSelect({ value, choices, onPick, inline = true }: { value: string; choices: ScopeChoice[]; onPick: (scope: string) => void; inline?: boolean }) {
  return (
    <label className={inline ? 'inline' : undefined}>
      Scope
      <select aria-label="Scope" value={value} onChange={(e) => onPick(e.target.value)}>
        {choices.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
