/**
 * The ipvsadm -S / -R rule file: its lines, numbered, split into words the way
 * ipvsadm-restore's shell reading does. Pure.
 */

/** Split a rule-file line into words (whitespace, with "double" and 'single' quotes). */
export function splitWords(line: string): string[] {
  if (!line.includes('"') && !line.includes("'")) {
    const t = line.trim();
    return t === '' ? [] : t.split(/\s+/);
  }
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: string | null = null;
  for (const ch of line) {
    if (q) {
      if (ch === q) q = null;
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      q = ch;
      inWord = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    cur += ch;
    inWord = true;
  }
  if (inWord) out.push(cur);
  return out;
}

export interface RuleLine {
  line: number;
  text: string;
  args: string[];
}

/** Lines of an ipvsadm -S / -R stream with their 1-based numbers (blank and # lines skipped). */
export function ruleLines(text: string): RuleLine[] {
  const out: RuleLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].replace(/\r$/, '');
    if (!t.trim() || t.trim().startsWith('#')) continue;
    out.push({ line: i + 1, text: t, args: splitWords(t) });
  }
  return out;
}
