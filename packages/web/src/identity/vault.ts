/**
 * The browser's key vault: identities kept in IndexedDB, their secret keys encrypted with a key
 * derived from the user's passphrase (WebCrypto PBKDF2-SHA256, 600,000 iterations, random 16-byte
 * salt) under AES-256-GCM (random 12-byte IV, the address as additional data). Only the address and
 * a label are stored in clear. A vault entry is unlocked per session and the keys live in memory
 * only until sign-out.
 */
import { type Identity, identityFromKeys } from '@medledger/core';
import type { Address, Hex } from 'viem';

export interface StoredIdentity {
  address: Address;
  label: string;
  createdAt: number;
  kdf: { name: 'PBKDF2-SHA256'; iterations: number; salt: Uint8Array };
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

const databaseName = 'medledger';
const storeName = 'identities';
const iterations = 600_000;

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName, { keyPath: 'address' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error('This browser does not let medledger keep keys (IndexedDB).'));
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
        reject(transaction.error ?? new Error('The key vault could not be written.'));
    });
  } finally {
    database.close();
  }
}

async function deriveKey(passphrase: string, salt: Uint8Array, rounds: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(passphrase),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations: rounds },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The identities kept in this browser (no secrets are read). */
export function listStoredIdentities(): Promise<StoredIdentity[]> {
  return withStore('readonly', (store) => store.getAll() as IDBRequest<StoredIdentity[]>);
}

/** Encrypts an identity's secret keys with a passphrase and keeps it in this browser. */
export async function storeIdentity(identity: Identity, passphrase: string, label: string): Promise<void> {
  if (passphrase.length < 8) throw new Error('Choose a passphrase of at least 8 characters.');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(passphrase, salt, iterations);
  const secrets = new TextEncoder().encode(
    JSON.stringify({ signingKey: identity.signingKey, encryptionSecretKey: identity.encryption.secretKey }),
  );
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(identity.address.toLowerCase()) },
      key,
      secrets,
    ),
  );
  secrets.fill(0);
  const entry: StoredIdentity = {
    address: identity.address,
    label: label.trim() || 'My identity',
    createdAt: Date.now(),
    kdf: { name: 'PBKDF2-SHA256', iterations, salt },
    iv,
    ciphertext,
  };
  await withStore('readwrite', (store) => store.put(entry));
}

/** Decrypts a stored identity; a wrong passphrase is an error saying so. */
export async function unlockIdentity(entry: StoredIdentity, passphrase: string): Promise<Identity> {
  const key = await deriveKey(passphrase, entry.kdf.salt, entry.kdf.iterations);
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: entry.iv as BufferSource,
        additionalData: new TextEncoder().encode(entry.address.toLowerCase()),
      },
      key,
      entry.ciphertext as BufferSource,
    );
  } catch {
    throw new Error('Wrong passphrase for this identity.');
  }
  const secrets = JSON.parse(new TextDecoder().decode(plaintext)) as {
    signingKey: Hex;
    encryptionSecretKey: Hex;
  };
  // The stored address is the account the keys act for (a recovered or rotated patient key may differ).
  return identityFromKeys({ ...secrets, account: entry.address });
}

export async function forgetIdentity(address: Address): Promise<void> {
  await withStore('readwrite', (store) => store.delete(address));
}
