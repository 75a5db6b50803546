/**
 * The JSON Schema keywords schemas/*.schema.json use (type - one or a list -, enum, required,
 * properties, additionalProperties: false, items, minimum): the list of violations, empty when `v` conforms.
 */
export function validateSchema(s: Record<string, unknown>, v: unknown, at = '$'): string[] {
  const errs: string[] = [];
  const types = s.type === undefined ? undefined : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  const kind = Array.isArray(v) ? 'array' : v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v;
  if (types && !types.some((t) => t === kind || (t === 'number' && kind === 'integer'))) return [`${at}: ${kind}, expected ${types.join(' or ')}`];
  if (Array.isArray(s.enum) && !s.enum.includes(v)) errs.push(`${at}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
  if (typeof s.minimum === 'number' && typeof v === 'number' && v < s.minimum) errs.push(`${at}: ${v} < ${s.minimum}`);
  if (kind === 'object') {
    const o = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const k of (s.required as string[] | undefined) ?? []) if (!(k in o)) errs.push(`${at}: ${k} missing`);
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) errs.push(...validateSchema(props[k], x, `${at}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${at}: unexpected ${k}`);
    }
  }
  if (kind === 'array' && s.items) {
    const items = v as unknown[];
    for (let i = 0; i < items.length; i++) errs.push(...validateSchema(s.items as Record<string, unknown>, items[i], `${at}[${i}]`));
  }
  return errs;
}
