/**
 * The web app's build directory, built first if missing or older than its sources (a no-op hash
 * check otherwise). MEDLEDGER_WEB_DIR names an already built app instead.
 */
export async function builtWebApp(): Promise<string> {
  if (process.env.MEDLEDGER_WEB_DIR) return process.env.MEDLEDGER_WEB_DIR;
  // Loaded here: the build brings Vite, which a gateway given MEDLEDGER_WEB_DIR never needs.
  const { ensureWebAppBuilt } = await import('@medledger/web/build');
  return ensureWebAppBuilt({ quiet: true });
}
