export * from './expr/build.js';
