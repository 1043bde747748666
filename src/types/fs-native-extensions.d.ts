/** The part of fs-native-extensions (no types of its own) that src/db/data-dir-lock.ts uses. */
declare module 'fs-native-extensions' {
  /** An exclusive (or shared) lock on an open file: true if granted, false if another holds it. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  export function unlock(fd: number): void;
}
