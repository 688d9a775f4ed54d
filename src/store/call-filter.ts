// The WHERE clause of the dashboard's reads of llm_calls (alias `c`): a time window in epoch ms,
// and the panel's service, model and prompt filters (`name` or `name@version`).

export interface CallFilter {
  from: number;
  to: number;
  service?: string;
  model?: string;
  prompt?: string;
}

export function callFilterSql(q: CallFilter): { where: string[]; args: (string | number)[] } {
  const where = ['c.start_us >= ?', 'c.start_us < ?'];
  const args: (string | number)[] = [Math.floor(q.from * 1000), Math.ceil(q.to * 1000)];
  if (q.service) {
    where.push('c.service_name = ?');
    args.push(q.service);
  }
  if (q.model) {
    where.push('c.model = ?');
    args.push(q.model);
  }
  if (q.prompt) {
    const at = q.prompt.lastIndexOf('@');
    if (at > 0) {
      where.push('c.prompt_name = ? AND c.prompt_version = ?');
      args.push(q.prompt.slice(0, at), q.prompt.slice(at + 1));
    } else {
      where.push('c.prompt_name = ?');
      args.push(q.prompt);
    }
  }
  return { where, args };
}
