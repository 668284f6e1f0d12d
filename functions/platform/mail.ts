import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { requiredEnv } from './env';
import { sdkClient } from './sdk-clients';

const client = sdkClient(new SESv2Client({}));

/** The CRM's own sender (MAIL_FROM), for mail that is not sent as a person. */
export const serviceSender = () => requiredEnv('MAIL_FROM');

/**
 * Sends one mail through SES with the CRM's configuration set, whose send, delivery, open, click,
 * bounce and complaint events come back onto the bus. Returns SES's message id.
 */
export async function sendMail(mail: Omit<SendEmailCommandInput, 'ConfigurationSetName'>): Promise<string | undefined> {
  const result = await client.send(new SendEmailCommand({ ...mail, ConfigurationSetName: requiredEnv('MAIL_CONFIGURATION_SET') }));
  return result.MessageId;
}

/** A plain-text service mail (not marketing: no consent needed) from the CRM's sender. */
export async function sendServiceMail(mail: { to: string[]; cc?: string[]; subject: string; text: string }) {
  const to = mail.to.filter(Boolean);
  if (to.length === 0) return undefined;
  return sendMail({
    FromEmailAddress: serviceSender(),
    Destination: { ToAddresses: to, ...(mail.cc?.length ? { CcAddresses: mail.cc } : {}) },
    Content: { Simple: { Subject: { Data: mail.subject }, Body: { Text: { Data: mail.text } } } },
  });
}
