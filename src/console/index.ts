// Public surface of the web console module.
export { consoleModule, type ConsoleModuleOptions } from './module.ts';
