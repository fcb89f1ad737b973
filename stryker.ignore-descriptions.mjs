// @ts-check
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/**
 * A state's `description` in the machines is documentation for people reading the code: nothing
 * reads it at run time (the diagrams, statuses and tags come from ids and tags), so a mutant of
 * it cannot change what accessdesk does. Stryker reports those mutants as ignored, not survived.
 */
export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'state-descriptions', {
    /** @param {any} path a Babel node path */
    shouldIgnore(path) {
      const { node } = path;
      const isDescription =
        node.type === 'ObjectProperty' &&
        !node.computed &&
        ((node.key.type === 'Identifier' && node.key.name === 'description') ||
          (node.key.type === 'StringLiteral' && node.key.value === 'description'));
      return isDescription
        ? 'A state description is documentation; nothing reads it at run time.'
        : undefined;
    },
  }),
];
