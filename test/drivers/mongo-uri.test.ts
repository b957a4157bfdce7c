// MongoDB store URIs as operators write them: schemes, replica sets, TLS, credentials, database, defaults.

import { MongoClient } from 'mongodb';
import { BadRequest } from '../../src/core/errors';
import { createMongoDriver } from '../../src/drivers/mongo/connect';
import { clientOptions, isMongoUri, parseMongoUri } from '../../src/drivers/mongo/uri';

/** The official client's reading of a URI with qgate's defaults (no connection is made). */
function clientFor(uri: string, timeoutMs = 2000) {
  return new MongoClient(uri, clientOptions(parseMongoUri(uri), timeoutMs)).options;
}

describe('MongoDB URIs', () => {
  test('mongodb:// and mongodb+srv:// are MongoDB URIs; other schemes are not', () => {
    expect(isMongoUri('mongodb://db1:27017')).toBe(true);
    expect(isMongoUri('mongodb+srv://cluster0.example.net/qgate')).toBe(true);
    expect(isMongoUri('MONGODB://db1')).toBe(true);
    expect(isMongoUri('redis://127.0.0.1:6379')).toBe(false);
    expect(isMongoUri('memory:')).toBe(false);
  });

  test('the database comes from the path, "qgate" when there is none', () => {
    expect(parseMongoUri('mongodb://db1:27017/zaqar?replicaSet=rs0').database).toBe('zaqar');
    expect(parseMongoUri('mongodb://db1:27017/').database).toBe('qgate');
    expect(parseMongoUri('mongodb://db1:27017').database).toBe('qgate');
    expect(parseMongoUri('mongodb://db1:27017/?w=1').database).toBe('qgate');
    expect(parseMongoUri('mongodb+srv://u:p@cluster0.example.net/pool%2Da').database).toBe('pool-a');
  });

  test('the label names the hosts and never the credentials', () => {
    const rs = parseMongoUri('mongodb://qgate:s3cr%40t@db1:27017,db2:27017,db3:27017/zaqar?replicaSet=rs0');
    expect(rs.label).toBe('MongoDB at db1:27017,db2:27017,db3:27017');
    expect(rs.label).not.toContain('s3cr');
    expect(parseMongoUri('mongodb+srv://qgate:pw@cluster0.example.net/').label).toBe(
      'MongoDB cluster cluster0.example.net (SRV)',
    );
  });

  test('a replica set with credentials and TLS reaches the official driver as written', () => {
    const options = clientFor(
      'mongodb://qgate:s3cr%40t@db1:27017,db2:27018/zaqar?replicaSet=rs0&tls=true&authSource=admin' +
        '&readPreference=primary&maxPoolSize=50',
    );
    expect(options.hosts.map(String)).toEqual(['db1:27017', 'db2:27018']);
    expect(options.replicaSet).toBe('rs0');
    expect(options.tls).toBe(true);
    expect(options.credentials?.username).toBe('qgate');
    expect(options.credentials?.password).toBe('s3cr@t');
    expect(options.credentials?.source).toBe('admin');
    expect(options.maxPoolSize).toBe(50);
    expect(options.dbName).toBe('zaqar');
  });

  test('mongodb+srv:// turns TLS on and keeps the SRV host for discovery', () => {
    const options = clientFor('mongodb+srv://qgate:pw@cluster0.example.net/zaqar');
    expect(options.srvHost).toBe('cluster0.example.net');
    expect(options.tls).toBe(true);
  });

  test('the default write concern is majority and journaled; a URI that sets one keeps its own', () => {
    expect(clientFor('mongodb://db1/zaqar').writeConcern).toMatchObject({ w: 'majority', journal: true });
    expect(clientFor('mongodb://db1/zaqar?w=1&journal=false').writeConcern).toMatchObject({ w: 1, journal: false });
    expect(clientFor('mongodb://db1/zaqar?w=2').writeConcern?.w).toBe(2);
    expect(clientFor('mongodb://db1/zaqar?wtimeoutMS=5000').writeConcern?.w).toBeUndefined();
  });

  test('timeouts default from the store timeout; the URI overrides them', () => {
    const defaults = clientFor('mongodb://db1/zaqar', 1500);
    expect(defaults.serverSelectionTimeoutMS).toBe(1500);
    expect(defaults.connectTimeoutMS).toBe(1500);
    expect(defaults.socketTimeoutMS).toBe(10_000);
    expect(defaults.appName).toBe('qgate');
    const given = clientFor('mongodb://db1/zaqar?serverSelectionTimeoutMS=700&socketTimeoutMS=0&appName=ops', 1500);
    expect(given.serverSelectionTimeoutMS).toBe(700);
    expect(given.socketTimeoutMS).toBe(0);
    expect(given.appName).toBe('ops');
  });

  test('a URI the driver cannot read is a BadRequest that does not echo the password', async () => {
    const attempt = async (uri: string) => {
      const driver = await createMongoDriver(uri, { timeoutMs: 1000, gcIntervalMs: 0 });
      await driver.close();
      return driver;
    };
    const bad = attempt('mongodb://qgate:hunter2@db1:27017/zaqar?tls=true&ssl=false');
    await expect(bad).rejects.toBeInstanceOf(BadRequest);
    await expect(bad).rejects.not.toThrow(/hunter2/);
    await expect(attempt('mongodb://')).rejects.toBeInstanceOf(BadRequest);
    await expect(attempt('mongodb://db1:27017/zaqar?w=majority&journal=perhaps')).rejects.toBeInstanceOf(BadRequest);
  });
});
