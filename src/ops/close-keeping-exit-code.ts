/**
 * Closes a command's database without losing the exit code already set: closing PGlite ends its
 * Emscripten runtime, which resets process.exitCode to 0 (a failed refresh would exit 0).
 * @example try { …; process.exitCode = 1; } finally { await closeKeepingExitCode(ctx); }
 */
export async function closeKeepingExitCode(ctx: { close(): Promise<void> }): Promise<void> {
  const code = process.exitCode;
  try {
    await ctx.close();
  } finally {
    process.exitCode = code;
  }
}
