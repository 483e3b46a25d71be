/**
 * Jest setup: the 2FA seal's scrypt work factor lowered from 2^15 to 2^10 for the suite, where
 * hundreds of paused logins are sealed with fresh salts (at 2^15 each costs tens of
 * milliseconds, most of the redaction and secrets suites' time). What the package uses is
 * checked in test/nodes/pausedLogin.test.ts; the real-n8n suite runs the built package, untouched.
 */
import { sealKdf } from '../../nodes/AutosharesTrader/sealKdf';

sealKdf.N = 2 ** 10;
