import * as z from '../../schemas/zod';

/** What the CRM reads of an SES mail event: the mail's id and tags (SES sends each tag as a list of values). */
export const SesMailEventDetailSchema = z.looseObject({
  mail: z.optional(z.looseObject({ messageId: z.optional(z.string()), tags: z.optional(z.record(z.string(), z.array(z.string()))) })),
});
export type SesMailEventDetail = z.output<typeof SesMailEventDetailSchema>;

/** One of SES's configuration-set events on the bus, described as the event catalogue describes the CRM's own. */
export const sesMailEvent = <const T extends string>(detailType: T) => ({ source: 'aws.ses', detailType, detail: SesMailEventDetailSchema });
