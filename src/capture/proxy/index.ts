// The recording proxy: routes for the collector's HTTP server, and what the CLI and settings
// need to configure upstreams.

export { RecordingProxy, createProxyRoutes, proxyRoutes, proxyErrorBody, PROXY_ROUTE, type ProxyOptions } from './proxy';
export { BUILTIN_UPSTREAMS, UpstreamTable, parseUpstreamArg } from './upstreams';
