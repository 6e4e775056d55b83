/** Keys, trust files and locks for the release tests: made fresh in memory, never read from disk. */
import { generateKeyPairSync } from 'node:crypto'
import { keyIdOf, type ReleaseRole, type SignedLockContent } from '../../src/release/envelope.js'

export interface TestKey {
  keyid: string
  privateKey: string
  publicKey: string
}

export function newKey(): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  return {
    keyid: keyIdOf(publicKey),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }
}

/** A trust-file key entry. */
export const entry = (key: TestKey, name: string, roles: ReleaseRole[]) => ({ keyid: key.keyid, name, publicKey: key.publicKey, roles })

export const LOCK: SignedLockContent = {
  release: 3,
  entries: {
    'creator-collaboration.us.onboarding@1.1.0': 'sha256:' + 'a'.repeat(64),
    'folder:collabgate.yaml': 'sha256:' + 'b'.repeat(64),
    'record:application@1.0.0': 'sha256:' + 'c'.repeat(64),
  },
}
