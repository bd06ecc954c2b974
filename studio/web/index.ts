export { startWebHost, WEB_HOST_BIND, type WebHost, type WebHostOptions } from './web-host.ts';
export { checkRequest, webCsp, allowedHosts, cookieName } from './gate.ts';
