import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { tracer } from './observability';

const client = tracer.captureAWSv3Client(new SESv2Client({}));

/** A plain-text service mail (not marketing: no consent needed) through SES and its configuration set. */
export async function sendServiceMail(mail: { to: string[]; cc?: string[]; subject: string; text: string }) {
  const from = process.env.MAIL_FROM;
  if (!from) throw new Error('MAIL_FROM is not set');
  const to = mail.to.filter(Boolean);
  if (to.length === 0) return undefined;
  const result = await client.send(new SendEmailCommand({
    FromEmailAddress: from,
    Destination: { ToAddresses: to, ...(mail.cc?.length ? { CcAddresses: mail.cc } : {}) },
    ...(process.env.MAIL_CONFIGURATION_SET ? { ConfigurationSetName: process.env.MAIL_CONFIGURATION_SET } : {}),
    Content: { Simple: { Subject: { Data: mail.subject }, Body: { Text: { Data: mail.text } } } },
  }));
  return result.MessageId;
}
