// The recording proxy: routes for the collector's HTTP server, and what the CLI and settings
// need to configure upstreams.

export { RecordingProxy, createProxyRoutes, proxyRoutes, proxyErrorBody, PROXY_ROUTE, SERVICE_HEADER, type ProxyOptions, type ProxyAdmission, type ProxyCallOrigin } from './proxy';
export { BUILTIN_UPSTREAMS, UpstreamTable, parseUpstreamArg } from './upstreams';
