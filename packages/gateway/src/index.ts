export {
  type DemoConsortiumOptions,
  type RunningDemoConsortium,
  startDemoConsortium,
} from './demoConsortium.ts';
export { buildProgram, main } from './main.ts';
export { type StartOptions, startDescription, withStartOptions } from './options.ts';
export { reportError } from './output.ts';
export { untilSignalled } from './signals.ts';
export { runGateway } from './start.ts';
export { builtWebApp } from './webApp.ts';
