/**
 * `npm run token -- --role <role> [--org <org>] [--purpose <purpose>] [--sub <id>] [--no-big]`
 * Prints a development token signed with the key under .dev/ (created on first use).
 */
import { parseArgs } from 'node:util';
import { ensureDevKeys, readDevPrivateKey, ROLE_DEFAULTS, signDevToken } from '../lib/identity/dev-keys';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      org: { type: 'string' },
      purpose: { type: 'string' },
      sub: { type: 'string' },
      'no-big': { type: 'boolean', default: false },
      expires: { type: 'string', default: '8h' },
    },
  });
  if (!values.role) {
    console.error(`usage: npm run token -- --role <role> [--org <org>] [--purpose <purpose>]\nroles: ${Object.keys(ROLE_DEFAULTS).join(', ')}`);
    return 2;
  }
  const keys = await ensureDevKeys();
  const token = await signDevToken(readDevPrivateKey(keys), {
    role: values.role,
    organisation: values.org,
    purpose: values.purpose,
    subject: values.sub,
    bigRegistration: values['no-big'] ? null : undefined,
    expiresIn: values.expires,
  });
  console.log(token);
  return 0;
}

main().then((code) => (process.exitCode = code));
