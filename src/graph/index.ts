/** The Microsoft Graph directory, built from its settings: what the composition root imports. */
import type { GraphSettings } from '../config.ts';
import { GraphDirectory, type GraphDirectoryOptions } from './graph-directory.ts';
import { MsalTokenSource } from './token-source.ts';

export { GraphDirectory } from './graph-directory.ts';
export { DirectoryRefusal } from './http.ts';
export { assertGraphReady, graphTenantProblems } from './requirements.ts';

/** A GraphDirectory signing in with the client credentials of `settings`. */
export function graphDirectory(
  settings: GraphSettings,
  options: Omit<GraphDirectoryOptions, 'tokens' | 'graphUrl'>,
): GraphDirectory {
  return new GraphDirectory({
    ...options,
    tokens: new MsalTokenSource(settings),
    graphUrl: settings.graphUrl,
  });
}
