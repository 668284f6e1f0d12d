import { Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * What functions that send mail need: the sender address (on the mail domain, a verified SES identity
 * in the account), the configuration set whose events come back onto the bus, the secret that signs
 * links in mail, and the API's address those links point at.
 */
export class CrmMail extends Construct {
  readonly linkSecret: Secret;
  readonly mailDomain: string;
  /** The sender, on the mail domain (MAIL_FROM) */
  readonly from: string;
  readonly configurationSetName: string;
  /** The API the links point at; set once the API exists (the API's functions need this construct first). */
  apiUrl?: string;
  /**
   * Where the web console is (its base, ending in /app/), for mail's links to its pages: set by the
   * console's hosting. Unset, the API's own /app/, where the local runtime serves the console.
   */
  consoleUrl?: string;

  constructor(scope: Construct, id: string, props: { configurationSet: ConfigurationSet }) {
    super(scope, id);
    this.mailDomain = String(this.node.tryGetContext('tradeflow:mailDomain') ?? 'tradeflow.example');
    this.from = `Tradeflow <no-reply@${this.mailDomain}>`;
    this.configurationSetName = props.configurationSet.configurationSetName;
    this.linkSecret = new Secret(this, 'LinkSecret', {
      secretName: 'tradeflow/links',
      description: 'Signs the links in mail (approval decisions, unsubscribes); one value per line during a rotation, the newest first',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.linkSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the link secret invalidates links already sent; it is rotated by hand, keeping the old value as a second line until those links expire.',
    });
  }

  /** The environment of a function that sends mail; without (signed) links, no API address nor link secret. */
  environment(options: { links?: boolean } = {}): Record<string, string> {
    const mail = {
      MAIL_FROM: this.from, MAIL_CONFIGURATION_SET: this.configurationSetName,
      CONSOLE_URL: Lazy.string({ produce: () => this.consoleUrl ?? `${this.requireApiUrl()}/app/` }),
    };
    if (options.links === false) return mail;
    return {
      ...mail,
      PUBLIC_API_URL: Lazy.string({ produce: () => this.requireApiUrl() }),
      LINK_SECRET_ID: this.linkSecret.secretArn,
    };
  }

  private requireApiUrl() {
    if (!this.apiUrl) throw new Error('CrmMail.apiUrl was never set: links in mail would point nowhere');
    return this.apiUrl;
  }

  /** What ses:SendEmail is granted on: the mail domain's identity and the configuration set. */
  sendResources(): string[] {
    const stack = Stack.of(this);
    return [
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.mailDomain }),
      stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSetName }),
    ];
  }

  /** Send mail from the mail domain with the configuration set, and (unless without links) read the link secret. */
  grantSend(grantee: IGrantable, options: { links?: boolean } = {}) {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['ses:SendEmail'], resources: this.sendResources() }));
    if (options.links !== false) this.linkSecret.grantRead(grantee);
  }
}
