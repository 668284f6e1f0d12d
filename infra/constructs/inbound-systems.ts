import { Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { INBOUND_SYSTEM_NAMES, type InboundSystem } from '../../schemas/events';

/**
 * One signing secret per system that sends events in (POST /events): generated at deploy, read by the
 * ingest function, shared with that system's operators out of band.
 */
export class InboundSystems extends Construct {
  readonly secrets: Record<InboundSystem, Secret>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secrets = Object.fromEntries(INBOUND_SYSTEM_NAMES.map((system) => {
      const secret = new Secret(this, `Secret-${system}`, {
        secretName: `tradeflow/inbound/${system}`,
        description: `HMAC signing secret of ${system} for POST /events`,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: `The ${system} signing secret is shared with that system; rotating it is a coordinated change with its operators, not an automatic one.`,
      });
      return [system, secret];
    })) as Record<InboundSystem, Secret>;
  }

  /** The environment the ingest function finds each system's secret by. */
  secretIds(): string {
    return JSON.stringify(Object.fromEntries(Object.entries(this.secrets).map(([system, secret]) => [system, secret.secretArn])));
  }
}
