/**
 * Theme tagging and sentiment: known vectors for the matching rules, and the default dictionary against the
 * simulator's ground truth (each comment template carries the theme it was written for).
 */
import { describe, expect, it } from 'vitest';
import { compileThemes, DEFAULT_THEMES, tagThemes } from '../../server/voc/themes.js';
import { sentimentOf } from '../../server/voc/sentiment.js';
import { surveyComment } from '../../server/simulator/comments.js';
import { Rng } from '../../server/simulator/index.js';
import { dictionaryBody, sentimentLabel } from '../../shared/voc.js';

describe('theme matching', () => {
  const themes = compileThemes([
    { id: 'billing', label: 'Billing', phrases: ['refund*', 'direct debit'] },
    { id: 'app', label: 'App', phrases: ['app'] },
  ]);
  it.each([
    ['Still waiting on the Refunds', ['billing']],
    ['my direct\n debit went out twice', ['billing']],
    ['the app crashed', ['app']],
    ['apparently it is sorted', []],
    ['happy with the application', []],
    ['refund via the app please', ['billing', 'app']],
    ['I’m owed a refund', ['billing']],
  ])('%j → %j', (text, want) => {
    expect(tagThemes(text, themes)).toEqual(want);
  });

  it('refuses a dictionary with duplicate ids or bad phrases, with the reason', () => {
    const dup = dictionaryBody.safeParse({ themes: [{ id: 'a-b', label: 'A', phrases: ['x y'] }, { id: 'a-b', label: 'B', phrases: ['z z'] }] });
    expect(dup.success).toBe(false);
    expect(dup.error?.issues[0]?.message).toBe('theme ids must be unique');
    const bad = dictionaryBody.safeParse({ themes: [{ id: 'a', label: 'A', phrases: ['(.*)'] }] });
    expect(bad.success).toBe(false);
  });
});

describe('the default dictionary on simulated comments', () => {
  it('finds the theme each comment was written about in at least 95% of comments, with few extra tags', () => {
    const rng = new Rng(5);
    const themes = compileThemes(DEFAULT_THEMES);
    let hit = 0;
    let tags = 0;
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const c = surveyComment(rng.int(1, 5), rng, 'Sam', 25, 0.1);
      const found = tagThemes(c.text, themes);
      if (found.includes(c.theme)) hit++;
      tags += found.length;
    }
    expect(hit / n).toBeGreaterThanOrEqual(0.95);
    expect(tags / n).toBeLessThan(1.8);
  });
});

describe('sentiment', () => {
  it('scores plainly positive and negative comments on the right side, and labels them', () => {
    expect(sentimentOf('Brilliant, really friendly and helpful, thank you')).toBeGreaterThan(0.2);
    expect(sentimentOf('Rude and useless, absolutely appalling service')).toBeLessThan(-0.2);
    expect(sentimentLabel(sentimentOf('The advisor was rude and kept talking over me.'))).toBe('negative');
    expect(sentimentLabel(0)).toBe('neutral');
  });

  it('simulated comments of 1–2 star surveys score lower on average than 5-star ones', () => {
    const rng = new Rng(9);
    const mean = (csat: number) => {
      let s = 0;
      for (let i = 0; i < 400; i++) s += sentimentOf(surveyComment(csat, rng, 'Sam', 25, 0).text);
      return s / 400;
    };
    expect(mean(1)).toBeLessThan(mean(5) - 0.2);
  });
});
