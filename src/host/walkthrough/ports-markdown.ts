// The walkthrough's "Connect an app" page with the ports the collector really uses (a window may
// run it on port 0, or another window own it on another port). Pure: the host reads the
// template shipped in media/ and writes the page.

export interface PortsInUse {
  httpPort: number;
  grpcPort: number | null;
}

export function fillPorts(template: string, ports: PortsInUse): string {
  const grpc = ports.grpcPort ? `, and on **127.0.0.1:${ports.grpcPort}** for OTLP over gRPC` : ' (OTLP over gRPC is off)';
  return template.replace(/\{\{httpPort\}\}/g, String(ports.httpPort)).replace(/\{\{grpcSentence\}\}/g, grpc);
}
