// The JSON-home document of /v2 (draft-nottingham-json-home-03, as Zaqar serves it), listing what qgate serves.

const RESOURCES: [rel: string, template: string, allow: string[]][] = [
  ['queues', '/v2/queues{?marker,limit,detailed,name,with_count}', ['GET']],
  ['queue', '/v2/queues/{queue_name}', ['GET', 'PUT', 'DELETE', 'PATCH']],
  ['queue_stats', '/v2/queues/{queue_name}/stats', ['GET']],
  ['queue_purge', '/v2/queues/{queue_name}/purge', ['POST']],
  ['messages', '/v2/queues/{queue_name}/messages{?marker,limit,echo,include_claimed,include_delayed}', ['GET']],
  ['post_messages', '/v2/queues/{queue_name}/messages', ['POST']],
  ['messages_get', '/v2/queues/{queue_name}/messages{?ids}', ['GET']],
  ['messages_delete', '/v2/queues/{queue_name}/messages{?ids,pop}', ['DELETE']],
  ['message_get', '/v2/queues/{queue_name}/messages/{message_id}', ['GET']],
  ['message_delete', '/v2/queues/{queue_name}/messages/{message_id}{?claim_id}', ['DELETE']],
  ['post_claim', '/v2/queues/{queue_name}/claims{?limit}', ['POST']],
  ['claim', '/v2/queues/{queue_name}/claims/{claim_id}', ['GET']],
  ['patch_claim', '/v2/queues/{queue_name}/claims/{claim_id}', ['PATCH']],
  ['delete_claim', '/v2/queues/{queue_name}/claims/{claim_id}', ['DELETE']],
  ['ping', '/v2/ping', ['GET', 'HEAD']],
  ['health', '/v2/health', ['GET']],
];

/** Builds the home document. */
export function homeDocument(): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const [rel, template, allow] of RESOURCES) {
    const vars = [...template.matchAll(/\{\??([^}]+)\}/g)].flatMap((m) => m[1].split(','));
    resources[`rel/${rel}`] = {
      'href-template': template,
      'href-vars': Object.fromEntries(vars.map((v) => [v, `param/${v}`])),
      hints: { allow, formats: { 'application/json': {} } },
    };
  }
  return { resources };
}

/** The version document of GET / (Zaqar answers it with 300 Multiple Choices). */
export const VERSIONS = {
  versions: [
    {
      id: '2',
      status: 'CURRENT',
      updated: '2014-9-24T04:06:47Z',
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.messaging-v2+json' }],
      links: [{ href: '/v2/', rel: 'self' }],
    },
  ],
};
