// The footprint bench's reference (bench/footprint.ts): the least a collector can be, a bare
// node:http server that stores each request body as one row with better-sqlite3 (WAL, same
// pragmas as the store). It prints `listening http=<port>` like the CLI, and shuts down on SIGTERM.
'use strict';
const http = require('node:http');
const Database = require('better-sqlite3');

const file = process.argv[2];
if (!file) throw new Error('usage: reference-server.cjs <db file>');
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, path TEXT NOT NULL, body BLOB NOT NULL)');
const insert = db.prepare('INSERT INTO bodies (path, body) VALUES (?, ?)');

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    insert.run(req.url, Buffer.concat(chunks));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening http=${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => {
  db.close();
  process.exit(0);
}));
