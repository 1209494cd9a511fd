/**
 * A key recovery in progress on this device, kept across page reloads until it is finished or
 * cancelled. The pending request holds secrets (the recovery key that opens the guardians' shares
 * and the token that fetches them), so it is stored encrypted (AES-256-GCM, random 12-byte IV)
 * under a WebCrypto key generated in this browser as non-extractable: no script can read the key's
 * bytes or carry it elsewhere. What this does not protect against: a script running in this origin
 * can still use the key to decrypt, and the browser keeps the key beside the request in its profile
 * files, so a copy of the whole profile opens it. The request is short-lived (it expires, and is
 * deleted when the recovery finishes or is cancelled), and the shares it opens still need the
 * guardians' approval. Its own database, so the identity vault's schema stays as it is.
 */
import type { PendingKeyRecovery } from '@medledger/client';

interface StoredRecovery {
  id: 'current';
  key: CryptoKey;
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

const databaseName = 'medledger-recovery';
const storeName = 'pending';
const additionalData = new TextEncoder().encode('medledger pending key recovery');

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () =>
      reject(new Error('This browser does not let medledger keep a recovery in progress (IndexedDB).'));
  });
}

async function withStore<T>(
  mode: IDBTransactionMode,
  run: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const database = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = database.transaction(storeName, mode);
      const request = run(transaction.objectStore(storeName));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () =>
        reject(transaction.error ?? new Error('The recovery in progress could not be kept.'));
    });
  } finally {
    database.close();
  }
}

/** Keeps `pending` (replacing any earlier one) so that a reload can continue it. */
export async function keepPendingRecovery(pending: PendingKeyRecovery): Promise<void> {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = new TextEncoder().encode(JSON.stringify(pending));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, plaintext),
  );
  plaintext.fill(0);
  const entry: StoredRecovery = { id: 'current', key, iv, ciphertext };
  await withStore('readwrite', (store) => store.put(entry));
}

/**
 * The recovery in progress on this device, if any. One that cannot be opened any more (its key
 * lost) or whose request has expired is forgotten and reads as none.
 */
export async function pendingRecovery(): Promise<PendingKeyRecovery | undefined> {
  const entry = await withStore(
    'readonly',
    (store) => store.get('current') as IDBRequest<StoredRecovery | undefined>,
  );
  if (!entry) return undefined;
  let pending: PendingKeyRecovery;
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: entry.iv as BufferSource, additionalData },
      entry.key,
      entry.ciphertext as BufferSource,
    );
    pending = JSON.parse(new TextDecoder().decode(plaintext)) as PendingKeyRecovery;
  } catch {
    await forgetPendingRecovery();
    return undefined;
  }
  if (pending.expiresAt * 1000 <= Date.now()) {
    await forgetPendingRecovery();
    return undefined;
  }
  return pending;
}

/** Forgets the recovery in progress (finished or cancelled). */
export async function forgetPendingRecovery(): Promise<void> {
  await withStore('readwrite', (store) => store.delete('current'));
}
