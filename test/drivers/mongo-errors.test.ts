// Which MongoDB failures become 503: unreachable or failing-over deployments do, bad requests and bugs do not.

import { MongoNetworkError, MongoServerError } from 'mongodb';
import { NotFound, ServiceUnavailable } from '../../src/core/errors';
import { translateMongoError } from '../../src/drivers/mongo/errors';

const label = 'MongoDB at db1:27017';

describe('MongoDB error translation', () => {
  test('network and failover errors (server selection: see mongo-outage.test.ts) are ServiceUnavailable naming the store', () => {
    for (const err of [
      new MongoNetworkError('connection 3 to db1:27017 closed'),
      new MongoServerError({ ok: 0, code: 10107, errmsg: 'not primary' }),
      new MongoServerError({ ok: 0, code: 91, errmsg: 'The server is in quiesce mode and will shut down' }),
    ]) {
      const out = translateMongoError(err, label);
      expect(out).toBeInstanceOf(ServiceUnavailable);
      expect((out as ServiceUnavailable).description).toContain('MongoDB at db1:27017 is unreachable.');
    }
  });

  test('a raw socket error the official driver lets escape (EPIPE on a closed connection) is ServiceUnavailable', () => {
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    expect(translateMongoError(epipe, label)).toBeInstanceOf(ServiceUnavailable);
  });

  test('domain errors and real bugs pass through unchanged', () => {
    const notFound = new NotFound('Queue q does not exist for project p');
    expect(translateMongoError(notFound, label)).toBe(notFound);
    const duplicate = new MongoServerError({ ok: 0, code: 11000, errmsg: 'E11000 duplicate key error' });
    expect(translateMongoError(duplicate, label)).toBe(duplicate);
    const bug = new TypeError('x is not a function');
    expect(translateMongoError(bug, label)).toBe(bug);
  });
});
