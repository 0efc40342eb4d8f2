// JSON Schema compatibility as Confluent's registry decides it (its json/diff package): the
// differences from an original schema to an update, each of a kind Confluent names, of which
// the incompatible ones are reported. Covered: types (integer → number widens), string, number,
// enum and const constraints, objects (properties against open, closed and partially open
// content models; required; additionalProperties; dependencies; min/maxProperties), arrays
// (items, tuple items, additionalItems, min/maxItems, uniqueItems), anyOf / oneOf / allOf
// (sum types may grow, product types may shrink), not, true/false/empty schemas, and `$ref`s
// (local pointers and the schema's references by name).
import {
  COMPATIBLE,
  Ctx,
  deref,
  isObj,
  kindOf,
  combination,
  type JsonDoc,
  type Node,
  type Obj,
} from './json-compat-core.ts';
import type { Json } from './types.ts';

export type { JsonDoc } from './json-compat-core.ts';

function compare(ctx: Ctx, o: Node | undefined, u: Node | undefined): void {
  if (!o && !u) return;
  if (!o) return ctx.add('SCHEMA_ADDED');
  if (!u) return ctx.add('SCHEMA_REMOVED');
  if (++ctx.depth > 64) return void ctx.depth--;
  try {
    compareNodes(ctx, deref(o), deref(u));
  } finally {
    ctx.depth--;
  }
}

function compareNodes(ctx: Ctx, o: Node, u: Node): void {
  const ok = kindOf(o.s);
  const uk = kindOf(u.s);
  if (ok !== 'combined' && uk === 'combined') {
    const { criterion, subs } = combination(u.s as Obj);
    if (subs.length === 1 || criterion !== 'allOf') {
      for (const sub of subs) {
        const c = ctx.sub();
        compare(c, o, { s: sub, doc: u.doc });
        if (c.compatible) {
          ctx.diffs.push(...c.diffs);
          if (subs.length > 1) ctx.add('SUM_TYPE_EXTENDED');
          return;
        }
      }
    }
  } else if (ok === 'combined' && uk !== 'combined') {
    const { criterion, subs } = combination(o.s as Obj);
    if (subs.length === 1 || criterion === 'allOf') {
      for (const sub of subs) {
        const c = ctx.sub();
        compare(c, { s: sub, doc: o.doc }, u);
        if (c.compatible) {
          ctx.diffs.push(...c.diffs);
          if (subs.length > 1) ctx.add('PRODUCT_TYPE_NARROWED');
          return;
        }
      }
    }
  }
  if (ok !== uk) {
    if (ok !== 'false' && uk !== 'empty') ctx.add('TYPE_CHANGED');
    return;
  }
  if (!isObj(o.s) || !isObj(u.s)) return;
  const os = o.s;
  const us = u.s;
  switch (ok) {
    case 'string':
      bound(ctx, os.maxLength, us.maxLength, 'maxLength', 'MAX_LENGTH', true);
      bound(ctx, os.minLength, us.minLength, 'minLength', 'MIN_LENGTH', false);
      if (os.pattern !== us.pattern)
        ctx.add(
          os.pattern === undefined ? 'PATTERN_ADDED' : us.pattern === undefined ? 'PATTERN_REMOVED' : 'PATTERN_CHANGED',
          'pattern',
        );
      return;
    case 'number':
      return compareNumbers(ctx, os, us);
    case 'enum':
    case 'const': {
      const ov = ok === 'const' ? [os.const!] : ((os.enum as Json[]) ?? []);
      const uv = ok === 'const' ? [us.const!] : ((us.enum as Json[]) ?? []);
      const has = (list: Json[], v: Json) => list.some((x) => JSON.stringify(x) === JSON.stringify(v));
      if (ok === 'const') {
        if (!has(uv, ov[0]!)) ctx.add('CONST_CHANGED');
      } else if (!ov.every((v) => has(uv, v)))
        ctx.add(uv.every((v) => has(ov, v)) ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED');
      else if (uv.length > ov.length) ctx.add('ENUM_ARRAY_EXTENDED');
      return;
    }
    case 'not': {
      const c = ctx.sub();
      compare(c, { s: us.not!, doc: u.doc }, { s: os.not!, doc: o.doc });
      ctx.add(c.compatible ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
      return;
    }
    case 'combined':
      return compareCombined(ctx, o, u);
    case 'object':
      return compareObjects(ctx, o, u);
    case 'array':
      return compareArrays(ctx, o, u);
  }
}

/** A bound on a size or value: `upper` for a maximum (may grow), else a minimum (may shrink). */
function bound(ctx: Ctx, o: Json | undefined, u: Json | undefined, attr: string, name: string, upper: boolean): void {
  if (o === u || (typeof o !== 'number' && typeof u !== 'number')) return;
  if (typeof o !== 'number') return ctx.add(`${name}_ADDED`, attr);
  if (typeof u !== 'number') return ctx.add(`${name}_REMOVED`, attr);
  const grew = u > o;
  ctx.add(
    `${name}_${grew ? 'INCREASED' : upper ? 'DECREASED' : 'INCREASED'}`.replace(
      /_INCREASED$/,
      grew ? '_INCREASED' : upper ? '_DECREASED' : '_INCREASED',
    ),
    attr,
  );
  if (!grew && !upper) ctx.diffs[ctx.diffs.length - 1]!.type = `${name}_DECREASED`;
}

function compareNumbers(ctx: Ctx, o: Obj, u: Obj): void {
  const oi = o.type === 'integer';
  const ui = u.type === 'integer';
  if (oi !== ui) ctx.add(oi ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
  bound(ctx, o.maximum, u.maximum, 'maximum', 'MAXIMUM', true);
  bound(ctx, o.minimum, u.minimum, 'minimum', 'MINIMUM', false);
  bound(
    ctx,
    typeof o.exclusiveMaximum === 'number' ? o.exclusiveMaximum : undefined,
    typeof u.exclusiveMaximum === 'number' ? u.exclusiveMaximum : undefined,
    'exclusiveMaximum',
    'EXCLUSIVE_MAXIMUM',
    true,
  );
  bound(
    ctx,
    typeof o.exclusiveMinimum === 'number' ? o.exclusiveMinimum : undefined,
    typeof u.exclusiveMinimum === 'number' ? u.exclusiveMinimum : undefined,
    'exclusiveMinimum',
    'EXCLUSIVE_MINIMUM',
    false,
  );
  const om = o.multipleOf;
  const um = u.multipleOf;
  if (om !== um) {
    if (typeof om !== 'number') ctx.add('MULTIPLE_OF_ADDED', 'multipleOf');
    else if (typeof um !== 'number') ctx.add('MULTIPLE_OF_REMOVED', 'multipleOf');
    else
      ctx.add(
        om % um === 0 ? 'MULTIPLE_OF_REDUCED' : um % om === 0 ? 'MULTIPLE_OF_EXPANDED' : 'MULTIPLE_OF_CHANGED',
        'multipleOf',
      );
  }
}

function compareCombined(ctx: Ctx, o: Node, u: Node): void {
  const oc = combination(o.s as Obj);
  const uc = combination(u.s as Obj);
  if (
    oc.criterion !== uc.criterion &&
    !(oc.criterion !== 'allOf' && uc.criterion !== 'allOf' && uc.criterion === 'anyOf')
  )
    return ctx.add('COMBINED_TYPE_CHANGED');
  const product = oc.criterion === 'allOf';
  // A sum type: each original branch must be read by a distinct update branch; a product type: the reverse.
  const [from, to] = product
    ? [uc.subs.map((s) => ({ s, doc: u.doc })), oc.subs.map((s) => ({ s, doc: o.doc }))]
    : [oc.subs.map((s) => ({ s, doc: o.doc })), uc.subs.map((s) => ({ s, doc: u.doc }))];
  const used = new Set<number>();
  for (const f of from) {
    const match = to.findIndex((t, i) => {
      if (used.has(i)) return false;
      const c = ctx.sub();
      if (product) compare(c, t, f);
      else compare(c, f, t);
      return c.compatible;
    });
    if (match < 0) return ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
    used.add(match);
  }
  if (uc.subs.length > oc.subs.length) ctx.add(product ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
  else if (uc.subs.length < oc.subs.length) ctx.add(product ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED');
}

const props = (s: Obj) => (isObj(s.properties) ? s.properties : {});
const required = (s: Obj) => new Set(Array.isArray(s.required) ? s.required.map(String) : []);
const additional = (s: Obj): Json | undefined =>
  s.additionalProperties === undefined ? undefined : s.additionalProperties;
const permitsAdditional = (s: Obj) => additional(s) !== false;
const additionalSchema = (s: Obj) => (isObj(additional(s)) ? additional(s) : undefined);
const patterns = (s: Obj) => (isObj(s.patternProperties) ? s.patternProperties : {});
const isOpen = (s: Obj) =>
  Object.keys(patterns(s)).length === 0 && additionalSchema(s) === undefined && permitsAdditional(s);

function partialSchema(s: Obj, key: string): Json | undefined {
  for (const [p, schema] of Object.entries(patterns(s))) {
    try {
      if (new RegExp(p, 'u').test(key)) return schema;
    } catch {}
  }
  return additionalSchema(s);
}

const hasDefault = (n: Node) => isObj(deref(n).s) && 'default' in (deref(n).s as Obj);
const isEmpty = (n: Node) => kindOf(deref(n).s) === 'empty';
const isFalse = (n: Node) => deref(n).s === false;

function compareObjects(ctx: Ctx, o: Node, u: Node): void {
  const os = o.s as Obj;
  const us = u.s as Obj;
  const [op, up, oreq, ureq] = [props(os), props(us), required(os), required(us)];
  ctx.in('required', () => {
    for (const k of Object.keys(op)) {
      if (!(k in up)) continue;
      if (oreq.has(k) && !ureq.has(k)) ctx.add('REQUIRED_ATTRIBUTE_REMOVED', k);
      else if (!oreq.has(k) && ureq.has(k))
        ctx.add(
          hasDefault({ s: up[k]!, doc: u.doc }) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED',
          k,
        );
    }
  });
  ctx.in('properties', () => {
    for (const k of new Set([...Object.keys(op), ...Object.keys(up)])) {
      ctx.in(k, () => {
        const on = k in op ? { s: op[k]!, doc: o.doc } : undefined;
        const un = k in up ? { s: up[k]!, doc: u.doc } : undefined;
        if (on && un) return compare(ctx, on, un);
        if (on) {
          if (isOpen(us)) return ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
          const partial = partialSchema(us, k);
          if (partial !== undefined) {
            const c = ctx.sub();
            compare(c, on, { s: partial, doc: u.doc });
            ctx.diffs.push(...c.diffs);
            return ctx.add(
              c.compatible
                ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
                : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
            );
          }
          return ctx.add(
            isFalse(on)
              ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
              : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
          );
        }
        if (isOpen(os))
          return ctx.add(
            isEmpty(un!)
              ? 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
              : 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
          );
        const partial = partialSchema(os, k);
        if (partial !== undefined) {
          const c = ctx.sub();
          compare(c, { s: partial, doc: o.doc }, un);
          ctx.diffs.push(...c.diffs);
          ctx.add(
            c.compatible
              ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
              : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          );
        }
        if (ureq.has(k))
          ctx.add(
            hasDefault(un!)
              ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
              : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
          );
        else ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
      });
    }
  });
  ctx.in('dependencies', () => {
    const od = isObj(os.dependencies) ? os.dependencies : {};
    const ud = isObj(us.dependencies) ? us.dependencies : {};
    for (const k of new Set([...Object.keys(od), ...Object.keys(ud)])) {
      ctx.in(k, () => {
        const a = od[k];
        const b = ud[k];
        if (Array.isArray(a) || Array.isArray(b)) {
          if (!Array.isArray(b)) return ctx.add('DEPENDENCY_ARRAY_REMOVED');
          if (!Array.isArray(a)) return ctx.add('DEPENDENCY_ARRAY_ADDED');
          const [sa, sb] = [new Set(a.map(String)), new Set(b.map(String))];
          if ([...sa].every((x) => sb.has(x)) && sa.size === sb.size) return;
          if ([...sa].every((x) => sb.has(x))) return ctx.add('DEPENDENCY_ARRAY_EXTENDED');
          if ([...sb].every((x) => sa.has(x))) return ctx.add('DEPENDENCY_ARRAY_NARROWED');
          return ctx.add('DEPENDENCY_ARRAY_CHANGED');
        }
        if (b === undefined) return ctx.add('DEPENDENCY_SCHEMA_REMOVED');
        if (a === undefined) return ctx.add('DEPENDENCY_SCHEMA_ADDED');
        compare(ctx, { s: a, doc: o.doc }, { s: b, doc: u.doc });
      });
    }
  });
  ctx.in('additionalProperties', () => {
    if (permitsAdditional(os) !== permitsAdditional(us))
      ctx.add(permitsAdditional(us) ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED');
    else if (additionalSchema(os) === undefined && additionalSchema(us) !== undefined)
      ctx.add('ADDITIONAL_PROPERTIES_NARROWED');
    else if (additionalSchema(us) === undefined && additionalSchema(os) !== undefined)
      ctx.add('ADDITIONAL_PROPERTIES_EXTENDED');
    else if (additionalSchema(os) !== undefined)
      compare(ctx, { s: additionalSchema(os)!, doc: o.doc }, { s: additionalSchema(us)!, doc: u.doc });
  });
  bound(ctx, os.maxProperties, us.maxProperties, 'maxProperties', 'MAX_PROPERTIES', true);
  bound(ctx, os.minProperties, us.minProperties, 'minProperties', 'MIN_PROPERTIES', false);
}

function compareArrays(ctx: Ctx, o: Node, u: Node): void {
  const os = o.s as Obj;
  const us = u.s as Obj;
  const tuple = (s: Obj): Json[] =>
    Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
  const all = (s: Obj): Json | undefined =>
    Array.isArray(s.prefixItems) ? s.items : Array.isArray(s.items) ? undefined : s.items;
  const extra = (s: Obj): Json | undefined => (Array.isArray(s.prefixItems) ? s.items : s.additionalItems);
  const permits = (s: Obj) => extra(s) !== false;
  const extraSchema = (s: Obj) => (isObj(extra(s)) ? extra(s) : undefined);
  const open = (s: Obj) => extraSchema(s) === undefined && permits(s);
  if (!Array.isArray(os.prefixItems) && !Array.isArray(us.prefixItems))
    ctx.in('items', () => {
      const a = all(os);
      const b = all(us);
      compare(
        ctx,
        a === undefined ? undefined : { s: a, doc: o.doc },
        b === undefined ? undefined : { s: b, doc: u.doc },
      );
    });
  const [ot, ut] = [tuple(os), tuple(us)];
  for (let i = 0; i < Math.max(ot.length, ut.length); i++) {
    ctx.in(`items/${i}`, () => {
      if (i < ot.length && i < ut.length) return compare(ctx, { s: ot[i]!, doc: o.doc }, { s: ut[i]!, doc: u.doc });
      if (i < ot.length) {
        if (open(us)) return ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
        const partial = extraSchema(us);
        if (partial !== undefined) {
          const c = ctx.sub();
          compare(c, { s: ot[i]!, doc: o.doc }, { s: partial, doc: u.doc });
          ctx.diffs.push(...c.diffs);
          return ctx.add(
            c.compatible
              ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
              : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          );
        }
        return ctx.add(
          ot[i] === false
            ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
            : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL',
        );
      }
      if (open(os))
        return ctx.add(
          kindOf(ut[i]!) === 'empty'
            ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
            : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
        );
      const partial = extraSchema(os);
      if (partial === undefined) return ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
      const c = ctx.sub();
      compare(c, { s: partial, doc: o.doc }, { s: ut[i]!, doc: u.doc });
      ctx.diffs.push(...c.diffs);
      ctx.add(
        c.compatible
          ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
          : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
      );
    });
  }
  if (ot.length || ut.length)
    ctx.in('additionalItems', () => {
      if (permits(os) !== permits(us)) ctx.add(permits(os) ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
      else if (extraSchema(os) === undefined && extraSchema(us) !== undefined) ctx.add('ADDITIONAL_ITEMS_NARROWED');
      else if (extraSchema(us) === undefined && extraSchema(os) !== undefined) ctx.add('ADDITIONAL_ITEMS_EXTENDED');
      else if (extraSchema(os) !== undefined)
        compare(ctx, { s: extraSchema(os)!, doc: o.doc }, { s: extraSchema(us)!, doc: u.doc });
    });
  bound(ctx, os.maxItems, us.maxItems, 'maxItems', 'MAX_ITEMS', true);
  bound(ctx, os.minItems, us.minItems, 'minItems', 'MIN_ITEMS', false);
  if (Boolean(os.uniqueItems) !== Boolean(us.uniqueItems))
    ctx.add(os.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
}

/** Confluent's messages for the incompatible differences from `original` to `update`. */
export function jsonIncompatibilities(original: JsonDoc, update: JsonDoc): string[] {
  const ctx = new Ctx();
  compare(ctx, { s: original.root, doc: original }, { s: update.root, doc: update });
  return ctx.diffs
    .filter((d) => !COMPATIBLE.has(d.type))
    .map(
      (d) =>
        `{errorType:"${d.type}", description:"Found an incompatible change at '${d.path}' (the %1 schema cannot read what the %2 schema allows)"}`,
    );
}
