"""Drives a running qgate with the stock python-zaqarclient (v2, noauth); prints one line per step.

Usage: /usr/bin/python3 zaqarclient_roundtrip.py URL PROJECT
Exits non-zero on the first step that fails.
"""
import json
import sys

from zaqarclient.queues.v2 import client as zaqar

url, project = sys.argv[1], sys.argv[2]
conf = {'auth_opts': {'backend': 'noauth', 'options': {'os_project_id': project}}}
cli = zaqar.Client(url, version=2, conf=conf)


def step(name, ok):
    if not ok:
        print('FAIL ' + name, flush=True)
        sys.exit(1)
    print('OK ' + name, flush=True)


step('ping', cli.ping() is True)
step('health', cli.health()['storage_reachable'] is True)

# Queues: create, list, metadata, stats, delete.
q = cli.queue('client-jobs', force_create=True)
other = cli.queue('client-other')
other.ensure_exists(force_create=True)
# The v2 client returns (iterator, count) from queues().
queues, _count = cli.queues()
names = sorted(x.name for x in queues)
step('queue create and list', 'client-jobs' in names and 'client-other' in names)
_queues, count = cli.queues(with_count=True)
step('queue list with count', count == 2)
meta = q.metadata(new_meta={'color': 'blue', 'size': 3})
step('queue metadata set', meta['color'] == 'blue' and meta['size'] == 3)
meta = q.metadata(new_meta={'color': 'green'}, force_reload=True)
step('queue metadata replace and remove', meta['color'] == 'green' and 'size' not in meta)
step('queue metadata read', q.metadata(force_reload=True)['color'] == 'green')
detailed = [x for x in cli.queues(detailed=True)[0] if x.name == 'client-jobs']
step('queue list detailed', detailed and detailed[0].metadata_dict.get('color') == 'green')

# Messages: post, list, get, get many, delete.
posted = q.post([{'body': {'n': i}, 'ttl': 600} for i in range(6)])
ids = [r.split('/')[-1] for r in posted['resources']]
step('message post', len(ids) == 6)
listed = list(q.messages(echo=True))
step('message list', [m.body['n'] for m in listed] == list(range(6)))
one = q.message(ids[0])
step('message get', one.body == {'n': 0} and one.ttl == 600)
many = list(q.messages(ids[1], ids[2]))
step('message get many', sorted(m.body['n'] for m in many) == [1, 2])
one.delete()
step('message delete', sorted(m.id for m in q.messages(echo=True)) == sorted(ids[1:]))
stats = q.stats['messages']
step('queue stats', stats['total'] == 5 and stats['free'] == 5 and stats['claimed'] == 0)

# Claims: claim, update, delete under claim, release.
claim = q.claim(ttl=120, grace=60, limit=3)
claimed = list(claim)
step('claim create', len(claimed) == 3 and all(m.claim_id == claim.id for m in claimed))
step('claim get', claim.ttl == 120)
claim.update(ttl=300, grace=60)
step('claim update', q.claim(id=claim.id).ttl == 300)
claimed[0].delete()
step('message delete under claim', len(list(q.claim(id=claim.id))) == 2)
step('stats while claimed', q.stats['messages']['claimed'] == 2 and q.stats['messages']['total'] == 4)
claim.delete()
step('claim release', q.stats['messages']['claimed'] == 0 and q.stats['messages']['total'] == 4)
popped = q.pop(2)
step('message pop', len(list(popped)) == 2 and q.stats['messages']['total'] == 2)
q.delete_messages(*[m.id for m in q.messages(echo=True)])
step('message delete many', q.stats['messages']['total'] == 0)

q.delete()
other.delete()
step('queue delete', 'client-jobs' not in [x.name for x in cli.queues()[0]])

print(json.dumps({'done': True}), flush=True)
