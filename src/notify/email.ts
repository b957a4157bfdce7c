// Email delivery (mailto: subscribers) over SMTP with nodemailer, with Zaqar's confirmation templates.

import nodemailer, { type Transporter } from 'nodemailer';
import type { JsonObject, PendingDelivery } from '../core/types';
import type { DeliveryResult, Sender } from './sender';

/** SMTP settings and the confirmation page. */
export interface EmailOptions {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  /** From: of confirmation mails. */
  sender: string;
  /** The page confirmation mails link to; the signature rides along as query parameters. */
  externalConfirmationUrl: string;
  timeoutMs: number;
}

/** Zaqar's templates: {0} queue, {1} project, {2} the confirm link. */
const TEMPLATES = {
  confirmation: {
    topic: 'Zaqar Notification - Subscription Confirmation',
    body:
      'You have chosen to subscribe to the queue: {0}. This queue belongs to project: {1}. ' +
      'To confirm this subscription, click or visit this link below: {2}',
  },
  unsubscribe: {
    topic: 'Zaqar Notification - Unsubscribe Confirmation',
    body:
      'You have unsubscribed successfully to the queue: {0}. This queue belongs to project: {1}. ' +
      'To resubscribe this subscription, click or visit this link below: {2}',
  },
};

/** The confirm link of a confirmation mail, as Zaqar composes it. */
export function confirmLink(base: string, doc: JsonObject, queue: string): string {
  const p = (name: string) => encodeURIComponent(String(doc[name] ?? ''));
  return (
    `${base}?Signature=${p('URL-Signature')}&Methods=${p('URL-Methods')}&Paths=${p('URL-Paths')}` +
    `&Project=${p('X-Project-ID')}&Expires=${p('URL-Expires')}&Url=${p('WSGISubscribeURL')}` +
    `&Queue=${encodeURIComponent(queue)}`
  );
}

export class EmailSender implements Sender {
  readonly schemes = ['mailto:'];
  readonly kind = 'email';
  private readonly transport: Transporter;

  constructor(private readonly options: EmailOptions) {
    this.transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      auth: options.user ? { user: options.user, pass: options.password } : undefined,
      connectionTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      tls: { rejectUnauthorized: false },
    });
  }

  async deliver(delivery: PendingDelivery, url: URL): Promise<DeliveryResult> {
    const to = decodeURIComponent(url.pathname);
    if (!to.includes('@')) return { outcome: 'failed', error: `mailto: without an address: ${url.href.slice(0, 80)}` };
    const queue = delivery.scope.queue;
    let mail: { from: string; subject: string; text: string };
    if (delivery.kind === 'notification') {
      const subject = url.searchParams.get('subject') ?? String(delivery.options.subject ?? '');
      mail = {
        from: String(delivery.options.from ?? this.options.sender),
        subject,
        text: JSON.stringify(delivery.payload),
      };
    } else {
      const template = TEMPLATES[delivery.kind];
      const link = confirmLink(this.options.externalConfirmationUrl, delivery.payload, queue);
      const text = template.body
        .replace('{0}', queue)
        .replace('{1}', String(delivery.payload['X-Project-ID'] ?? delivery.scope.project))
        .replace('{2}', link);
      mail = { from: this.options.sender, subject: template.topic, text };
    }
    try {
      await this.transport.sendMail({ ...mail, to });
      return { outcome: 'delivered' };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      // A 5xx SMTP reply rejects this mail for good; anything else (refused, timeout, 4xx) is retried.
      if (code !== undefined && code >= 500) return { outcome: 'failed', error: `SMTP ${code}` };
      return { outcome: 'retry', error: (err as Error).message };
    }
  }

  close(): void {
    this.transport.close();
  }
}
