// The collector listens on loopback only; every URL the extension builds uses this host.
export const LOOPBACK_HOST = '127.0.0.1';
