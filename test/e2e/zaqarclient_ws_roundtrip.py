"""Drives qgate's websocket API with the stock python-zaqarclient WebsocketTransport; one line per step.

Usage: /usr/bin/python3 zaqarclient_ws_roundtrip.py WS_URL PROJECT
Exits non-zero on the first step that fails.
"""
import json
import sys

from zaqarclient.transport import errors, request
from zaqarclient.transport import ws as ws_transport

url, project = sys.argv[1], sys.argv[2]
conf = {'auth_opts': {'backend': 'noauth', 'options': {'os_project_id': project, 'os_auth_token': None}}}


def step(name, ok):
    if not ok:
        print('FAIL ' + name, flush=True)
        sys.exit(1)
    print('OK ' + name, flush=True)


def call(transport, action, body=None):
    req = request.Request(url, action, content=json.dumps(body) if body is not None else None)
    return transport.send(req)


with ws_transport.WebsocketTransport(conf) as t:
    created = call(t, 'queue_create', {'queue_name': 'ws-jobs'})
    step('queue create', created.status_code == 201)
    posted = call(t, 'message_post', {'queue_name': 'ws-jobs', 'messages': [{'body': {'n': i}, 'ttl': 300} for i in range(3)]})
    step('message post', posted.status_code == 201 and len(json.loads(posted.content)['message_ids']) == 3)
    listed = json.loads(call(t, 'message_list', {'queue_name': 'ws-jobs', 'echo': True}).content)
    step('message list', [m['body']['n'] for m in listed['messages']] == [0, 1, 2])
    claim = json.loads(call(t, 'claim_create', {'queue_name': 'ws-jobs', 'ttl': 60, 'grace': 60, 'limit': 2}).content)
    step('claim create', len(claim['messages']) == 2)
    first = claim['messages'][0]
    deleted = call(t, 'message_delete', {'queue_name': 'ws-jobs', 'message_id': first['id'], 'claim_id': first['claim_id']})
    step('message delete under claim', deleted.status_code == 204)
    stats = json.loads(call(t, 'queue_get_stats', {'queue_name': 'ws-jobs'}).content)
    step('queue stats', stats['messages']['total'] == 2 and stats['messages']['claimed'] == 1)
    try:
        call(t, 'queue_get', {'queue_name': 'no-such-queue'})
        step('a missing queue raises ResourceNotFound', False)
    except errors.ResourceNotFound:
        step('a missing queue raises ResourceNotFound', True)
    step('queue delete', call(t, 'queue_delete', {'queue_name': 'ws-jobs'}).status_code == 204)
print(json.dumps({'done': True}), flush=True)
