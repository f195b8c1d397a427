#!/usr/bin/env node
/**
 * `npm run docs`: the API reference (TypeDoc) from the TSDoc of src/index.ts into docs/api/
 * (not committed). Warnings are errors, so a broken doc comment fails the build.
 *
 * TypeDoc drives the TypeScript compiler through its JavaScript API, which TypeScript 7
 * (native) no longer has; TypeDoc is therefore given TypeScript 6.0 (the devDependency
 * `typescript-6`, an alias) while the rest of the project uses 7.
 */
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if ((specifier === 'typescript' || specifier.startsWith('typescript/')) &&
          context.parentURL?.includes('/node_modules/typedoc/')) {
        return next(specifier.replace(/^typescript/, 'typescript-6'), context);
      }
      return next(specifier, context);
    }`)}`,
);

const { Application, ArgumentsReader, TSConfigReader, TypeDocReader } = await import('typedoc');
// The same option sources, in the same order, as the `typedoc` command: arguments win.
const app = await Application.bootstrapWithPlugins({}, [
  new ArgumentsReader(0),
  new TypeDocReader(),
  new TSConfigReader(),
  new ArgumentsReader(300),
]);
const project = await app.convert();
if (project === undefined || app.logger.hasErrors()) process.exit(1);
app.validate(project);
if (app.logger.hasErrors()) process.exit(1);
await app.generateDocs(project, app.options.getValue('out'));
if (app.logger.hasErrors() || app.logger.hasWarnings()) process.exit(1);
