/** The "Last N days" (or weeks) picker the analysis pages show beside the scope picker. */
export function PeriodSelect({
  value,
  choices,
  onPick,
  unit = 'days',
  label = 'Period',
  className = 'inline',
}: {
  value: number;
  choices: readonly number[];
  onPick: (n: number) => void;
  unit?: 'days' | 'weeks';
  label?: string;
  className?: string;
}) {
  return (
    <label className={className || undefined}>
      {label}
      <select aria-label={label} value={value} onChange={(e) => onPick(Number(e.target.value))}>
        {choices.map((n) => (
          <option key={n} value={n}>
            Last {n} {unit}
          </option>
        ))}
      </select>
    </label>
  );
}
