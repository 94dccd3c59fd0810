// Tiny declarative validators for incoming packets.
// A schema is a function (value, path) => error text, or null when the value is valid.
// Wrappers mark a field optional (may be absent) or nullable (may be null).

function codePointLength(text) {
  return [...text].length;
}

export function string({ min = 0, max = Infinity } = {}) {
  return (value, path) => {
    if (typeof value !== 'string') return `${path}: expected a string`;
    const n = codePointLength(value);
    if (n < min || n > max) return `${path}: length ${n} outside ${min}..${max}`;
    return null;
  };
}

export function int({ min = -Infinity, max = Infinity } = {}) {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) return `${path}: expected an integer`;
    if (value < min || value > max) return `${path}: ${value} outside ${min}..${max}`;
    return null;
  };
}

export function number() {
  return (value, path) => (typeof value === 'number' && Number.isFinite(value) ? null : `${path}: expected a number`);
}

export function bool() {
  return (value, path) => (typeof value === 'boolean' ? null : `${path}: expected a boolean`);
}

export function oneOf(values) {
  return (value, path) => (values.includes(value) ? null : `${path}: ${JSON.stringify(value)} is not one of ${values.join(', ')}`);
}

export function anyOf(...schemas) {
  return (value, path) => {
    const errors = schemas.map((schema) => schema(value, path));
    return errors.includes(null) ? null : errors[0];
  };
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function anyObject() {
  return (value, path) => (isPlainObject(value) ? null : `${path}: expected an object`);
}

export function arrayOf(item, { min = 0 } = {}) {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path}: expected an array`;
    if (value.length < min) return `${path}: expected at least ${min} entries`;
    for (let i = 0; i < value.length; i += 1) {
      const error = item(value[i], `${path}[${i}]`);
      if (error) return error;
    }
    return null;
  };
}

/** An object whose keys are free and whose values all match `item`. */
export function recordOf(item) {
  return (value, path) => {
    if (!isPlainObject(value)) return `${path}: expected an object`;
    for (const [key, entry] of Object.entries(value)) {
      const error = item(entry, `${path}.${key}`);
      if (error) return error;
    }
    return null;
  };
}

/** An object with known fields; unknown fields are ignored. */
export function object(fields) {
  return (value, path) => {
    if (!isPlainObject(value)) return `${path}: expected an object`;
    for (const [key, schema] of Object.entries(fields)) {
      const present = Object.prototype.hasOwnProperty.call(value, key) && value[key] !== undefined;
      if (!present) {
        if (schema.optional) continue;
        return `${path}.${key}: missing`;
      }
      if (value[key] === null && schema.nullable) continue;
      const error = schema(value[key], `${path}.${key}`);
      if (error) return error;
    }
    return null;
  };
}

/** The field may be absent (but not null, unless also nullable). */
export function optional(schema) {
  const wrapped = (value, path) => schema(value, path);
  wrapped.optional = true;
  wrapped.nullable = Boolean(schema.nullable);
  return wrapped;
}

/** The field may be null. */
export function nullable(schema) {
  const wrapped = (value, path) => schema(value, path);
  wrapped.nullable = true;
  wrapped.optional = Boolean(schema.optional);
  return wrapped;
}
