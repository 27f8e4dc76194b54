/** The development entry of the JSX runtime (what a transform in development mode imports): the same runtime. */
import { Fragment, jsx } from './jsx-runtime.js';

export type { JSX } from './jsx-runtime.js';
export { Fragment };
export const jsxDEV = (tag: Parameters<typeof jsx>[0], props: Parameters<typeof jsx>[1]) => jsx(tag, props);
