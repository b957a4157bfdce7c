// Where webhooks may go: never to link-local or metadata addresses (unless allowed), never to this gateway.
//
// The check runs on the addresses a host name resolves to, and again on the address a webhook call
// actually connects to (a lookup hook), so DNS rebinding between the two cannot slip past it.

import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** What the guard refuses and lets through. */
export interface AddressGuardOptions {
  /** CIDRs that are refused. */
  deny: string[];
  /** CIDRs let through even when a deny entry covers them. */
  allow: string[];
  /** Ports of this gateway (HTTP and websocket APIs), refused on any local address. */
  selfPorts: number[];
}

/** A refused address, with the reason in words. */
export class AddressRefused extends Error {}

function blockList(cidrs: string[], what: string): BlockList {
  const list = new BlockList();
  for (const raw of cidrs.map((c) => c.trim()).filter(Boolean)) {
    const [address, bits] = raw.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`${what}: "${raw}" is not a CIDR`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (!Number.isInteger(prefix)) throw new Error(`${what}: "${raw}" is not a CIDR`);
    list.addSubnet(address, prefix, type);
  }
  return list;
}

/** Addresses that reach this machine. */
function localAddresses(): Set<string> {
  const out = new Set(['127.0.0.1', '::1', '0.0.0.0', '::']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

export class AddressGuard {
  private readonly deny: BlockList;
  private readonly allow: BlockList;
  private readonly selfPorts: Set<number>;

  constructor(options: AddressGuardOptions) {
    this.deny = blockList(options.deny, 'notification.deny_networks');
    this.allow = blockList(options.allow, 'notification.allow_networks');
    this.selfPorts = new Set(options.selfPorts.filter((p) => p > 0));
  }

  /** Adds a port of this gateway (known once its servers listen). */
  addSelfPort(port: number): void {
    if (port > 0) this.selfPorts.add(port);
  }

  /** Throws AddressRefused when a connection to address:port must not be made. */
  checkAddress(address: string, port: number): void {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const plain = address.replace(/^::ffff:/i, '');
    const plainFamily = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    if (this.selfPorts.has(port) && (localAddresses().has(plain) || /^127\./.test(plain))) {
      throw new AddressRefused(`${address}:${port} is this gateway`);
    }
    const allowed = this.allow.check(plain, plainFamily) || this.allow.check(address, family);
    if (!allowed && (this.deny.check(plain, plainFamily) || this.deny.check(address, family))) {
      throw new AddressRefused(`${address} is in a denied network`);
    }
  }

  /** Resolves a URL's host and checks every address it names. */
  async checkUrl(url: URL): Promise<void> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
    for (const address of addresses) this.checkAddress(address, port);
  }
}
