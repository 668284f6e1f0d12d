import { apiHandler } from '../platform/api-handler';
import { showUnsubscribePage } from './unsubscribe-page';

/** GET /unsubscribe/{token}: the page the link in a nurture mail opens (no login; changes nothing). */
export const handler = apiHandler(async (request) => showUnsubscribePage(request.path('token'), request.now));
