// The world-level import `upper` of enc.wit for jco-transpiled components.
export function upper(s) { return s.toUpperCase(); }
