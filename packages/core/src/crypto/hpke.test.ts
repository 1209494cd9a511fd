import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Aes128Gcm, Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { gcm } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, randomBytes, utf8ToBytes } from '../bytes.ts';
import { IntegrityError, InvalidInputError } from '../errors.ts';
import {
  type HpkeBackend,
  hpkeBackend,
  hpkePublicKeyBytes,
  hpkeSuite,
  importHpkePublicKey,
  importHpkeSecretKey,
  nodeX25519Codecs,
  openWithSecretKey,
  sealToPublicKey,
  setHpkeBackend,
} from './hpke.ts';
import { generateEncryptionKeyPair } from './keys.ts';
import vectorFile from './vectors/rfc9180-hpke.json' with { type: 'json' };

const hex = (value: string) => hexToBytes(`0x${value}`);
const plain = (bytes: ArrayBuffer | Uint8Array) => bytesToHex(new Uint8Array(bytes)).slice(2);
const [a11, x25519Aes256] = vectorFile.vectors;
assert.ok(a11 && x25519Aes256);

/** The stock @hpke/core suites (all-WebCrypto), as an independent reference. */
const stock = (aead: Aes128Gcm | Aes256Gcm) =>
  new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead });

/** The X25519 backend chosen by default, before any test switches it. */
const defaultBackend = hpkeBackend();
const backends: readonly HpkeBackend[] = ['node', 'webcrypto'];

/** Nonce of sequence number `seq`: base_nonce XOR I2OSP(seq, 12) (RFC 9180 §5.2). */
function nonceOf(baseNonce: string, seq: number): Uint8Array {
  const nonce = hex(baseNonce);
  nonce[11] = (nonce[11] ?? 0) ^ seq;
  return nonce;
}

for (const backend of backends) {
  describe(`HPKE known answers (RFC 9180), ${backend} X25519`, () => {
    before(() => setHpkeBackend(backend));

    for (const v of vectorFile.vectors) {
      it(`key, base_nonce and ciphertexts of "${v.name}" are consistent (noble AES-GCM)`, () => {
        for (const e of v.encryptions) {
          assert.equal(
            plain(gcm(hex(v.key), nonceOf(v.base_nonce, e.seq), hex(e.aad)).encrypt(hex(e.pt))),
            e.ct,
          );
        }
      });

      it(`the KEM yields the shared secret of "${v.name}"`, async () => {
        const recipient = await importHpkeSecretKey(hex(v.skRm));
        const ephemeral = await importHpkeSecretKey(hex(v.skEm));
        const { enc, sharedSecret } = await hpkeSuite.kem.encap({
          recipientPublicKey: recipient.keyPair.publicKey,
          ekm: ephemeral.keyPair,
        });
        assert.equal(plain(new Uint8Array(enc)), v.enc);
        assert.equal(plain(sharedSecret), v.shared_secret);
        const decapsulated = await hpkeSuite.kem.decap({ enc: hex(v.enc), recipientKey: recipient.keyPair });
        assert.equal(plain(decapsulated), v.shared_secret);
      });
    }

    it('derives the A.1.1 key pairs from ikmE and ikmR', async () => {
      for (const [ikm, sk, pk] of [
        [a11.ikmE, a11.skEm, a11.pkEm],
        [a11.ikmR, a11.skRm, a11.pkRm],
      ] as const) {
        const pair = await hpkeSuite.kem.deriveKeyPair(hex(ikm ?? ''));
        assert.equal(plain(await hpkeSuite.kem.serializePrivateKey(pair.privateKey)), sk);
        assert.equal(plain(await hpkeSuite.kem.serializePublicKey(pair.publicKey)), pk);
      }
    });

    it('reproduces A.1.1 (AES-128-GCM) with @hpke/core from ikmE', async () => {
      const suite = stock(new Aes128Gcm());
      const recipient = await suite.kem.deserializePublicKey(hex(a11.pkRm));
      const sender = await suite.createSenderContext({
        recipientPublicKey: recipient,
        info: hex(a11.info),
        ekm: hex(a11.ikmE ?? ''),
      });
      assert.equal(plain(sender.enc), a11.enc);
      for (const e of a11.encryptions) assert.equal(plain(await sender.seal(hex(e.pt), hex(e.aad))), e.ct);
      for (const x of a11.exports) {
        assert.equal(plain(await sender.export(hex(x.exporter_context), x.L)), x.exported_value);
      }
    });

    it("reproduces the X25519 / AES-256-GCM vector with medledger's suite: seal, open and export", async () => {
      const v = x25519Aes256;
      const recipient = await importHpkeSecretKey(hex(v.skRm));
      const ephemeral = await importHpkeSecretKey(hex(v.skEm));
      const sender = await hpkeSuite.createSenderContext({
        recipientPublicKey: recipient.keyPair.publicKey,
        info: hex(v.info),
        ekm: ephemeral.keyPair,
      });
      assert.equal(plain(sender.enc), v.enc);
      for (const e of v.encryptions) assert.equal(plain(await sender.seal(hex(e.pt), hex(e.aad))), e.ct);
      for (const x of v.exports) {
        assert.equal(plain(await sender.export(hex(x.exporter_context), x.L)), x.exported_value);
      }
      const receiver = await hpkeSuite.createRecipientContext({
        recipientKey: recipient.keyPair,
        enc: hex(v.enc),
        info: hex(v.info),
      });
      for (const e of v.encryptions) assert.equal(plain(await receiver.open(hex(e.ct), hex(e.aad))), e.pt);
      const first = v.encryptions[0];
      assert.ok(first);
      const opened = await openWithSecretKey(
        hex(v.skRm),
        { enc: hex(v.enc), ciphertext: hex(first.ct) },
        { info: hex(v.info), aad: hex(first.aad) },
      );
      assert.equal(plain(opened), first.pt);
    });
  });

  describe(`sealToPublicKey / openWithSecretKey, ${backend} X25519`, () => {
    before(() => setHpkeBackend(backend));

    const info = utf8ToBytes('medledger/v1 test');

    it('round-trips, with hex, bytes or imported keys, and seals with a fresh ephemeral key each time', async () => {
      const keys = generateEncryptionKeyPair();
      const message = randomBytes(100);
      const aad = randomBytes(32);
      const a = await sealToPublicKey(keys.publicKey, message, { info, aad });
      const b = await sealToPublicKey(await importHpkePublicKey(hexToBytes(keys.publicKey)), message, {
        info,
        aad,
      });
      assert.notDeepEqual(a.enc, b.enc);
      assert.equal(a.enc.length, 32);
      assert.equal(a.ciphertext.length, message.length + 16);
      assert.deepEqual(await openWithSecretKey(keys.secretKey, a, { info, aad }), message);
      assert.deepEqual(
        await openWithSecretKey(await importHpkeSecretKey(keys.secretKey), b, { info, aad }),
        message,
      );
      assert.deepEqual(await openWithSecretKey(hexToBytes(keys.secretKey), b, { info, aad }), message);
    });

    it('interoperates with the stock @hpke/core suite in both directions', async () => {
      const reference = stock(new Aes256Gcm());
      for (let i = 0; i < 20; i++) {
        const keys = generateEncryptionKeyPair();
        const message = randomBytes(i * 7);
        const aad = randomBytes(i % 5);
        const ours = await sealToPublicKey(keys.publicKey, message, { info, aad });
        const recipientKey = await reference.kem.deserializePrivateKey(hexToBytes(keys.secretKey));
        const opened = await reference.open({ recipientKey, enc: ours.enc, info }, ours.ciphertext, aad);
        assert.deepEqual(new Uint8Array(opened), message);
        const recipientPublicKey = await reference.kem.deserializePublicKey(hexToBytes(keys.publicKey));
        const theirs = await reference.seal({ recipientPublicKey, info }, message, aad);
        const sealed = { enc: new Uint8Array(theirs.enc), ciphertext: new Uint8Array(theirs.ct) };
        assert.deepEqual(await openWithSecretKey(keys.secretKey, sealed, { info, aad }), message);
      }
    });

    it('refuses a wrong key, info, aad, enc or ciphertext with IntegrityError', async () => {
      const keys = generateEncryptionKeyPair();
      const aad = utf8ToBytes('aad');
      const sealed = await sealToPublicKey(keys.publicKey, utf8ToBytes('secret'), { info, aad });
      assert.deepEqual(await openWithSecretKey(keys.secretKey, sealed, { info, aad }), utf8ToBytes('secret'));
      const flip = (bytes: Uint8Array, i: number) => {
        const copy = bytes.slice();
        copy[i] = (copy[i] ?? 0) ^ 1;
        return copy;
      };
      const attempts = [
        () => openWithSecretKey(generateEncryptionKeyPair().secretKey, sealed, { info, aad }),
        () => openWithSecretKey(keys.secretKey, sealed, { info: utf8ToBytes('other'), aad }),
        () => openWithSecretKey(keys.secretKey, sealed, { info, aad: utf8ToBytes('aae') }),
        () => openWithSecretKey(keys.secretKey, sealed, { info }),
        () => openWithSecretKey(keys.secretKey, { ...sealed, enc: flip(sealed.enc, 0) }, { info, aad }),
        () => openWithSecretKey(keys.secretKey, { ...sealed, enc: sealed.enc.subarray(1) }, { info, aad }),
        () =>
          openWithSecretKey(
            keys.secretKey,
            { ...sealed, ciphertext: flip(sealed.ciphertext, 3) },
            { info, aad },
          ),
        () =>
          openWithSecretKey(
            keys.secretKey,
            { ...sealed, ciphertext: flip(sealed.ciphertext, 21) },
            { info, aad },
          ),
      ];
      for (const attempt of attempts) await assert.rejects(attempt, IntegrityError);
    });

    it('refuses malformed and low-order public keys with InvalidInputError', async () => {
      await assert.rejects(sealToPublicKey('0x1234', new Uint8Array(1)), InvalidInputError);
      await assert.rejects(sealToPublicKey(new Uint8Array(32), new Uint8Array(1)), InvalidInputError);
      const one = new Uint8Array(32);
      one[0] = 1;
      await assert.rejects(sealToPublicKey(one, new Uint8Array(1)), InvalidInputError);
    });
  });
}

describe('X25519 backends', () => {
  const info = utf8ToBytes('medledger/v1 test');
  after(() => setHpkeBackend(defaultBackend));

  it('uses node:crypto X25519 by default in Node', () => {
    assert.equal(defaultBackend, 'node');
  });

  it('interoperate in both directions: seal under one, open under the other', async () => {
    for (const [from, to] of [
      ['node', 'webcrypto'],
      ['webcrypto', 'node'],
    ] as const) {
      for (let i = 0; i < 10; i++) {
        const keys = generateEncryptionKeyPair();
        const message = randomBytes(i * 7);
        const aad = randomBytes(i % 5);
        setHpkeBackend(from);
        const sealed = await sealToPublicKey(keys.publicKey, message, { info, aad });
        const imported = await openWithSecretKey(await importHpkeSecretKey(keys.secretKey), sealed, {
          info,
          aad,
        });
        assert.deepEqual(imported, message);
        setHpkeBackend(to);
        assert.deepEqual(
          await openWithSecretKey(keys.secretKey, sealed, { info, aad }),
          message,
          `${from} → ${to}`,
        );
        await assert.rejects(
          openWithSecretKey(keys.secretKey, sealed, { info, aad: utf8ToBytes('other') }),
          IntegrityError,
        );
      }
    }
  });

  it('derive the same public keys, key pairs and KEM shared secrets (A.1.1, from ikmE and ikmR)', async () => {
    const v = a11;
    const results = [];
    for (const backend of backends) {
      setHpkeBackend(backend);
      const keys = generateEncryptionKeyPair();
      const secret = await importHpkeSecretKey(keys.secretKey);
      assert.equal(bytesToHex(await hpkePublicKeyBytes(secret)), keys.publicKey);
      const pair = await hpkeSuite.kem.deriveKeyPair(hex(v.ikmR ?? ''));
      const recipient = await importHpkeSecretKey(hex(v.skRm));
      const { enc, sharedSecret } = await hpkeSuite.kem.encap({
        recipientPublicKey: (await importHpkePublicKey(hex(v.pkRm))).cryptoKey,
        ekm: hex(v.ikmE ?? ''),
      });
      results.push({
        sk: plain(await hpkeSuite.kem.serializePrivateKey(pair.privateKey)),
        pk: plain(await hpkeSuite.kem.serializePublicKey(pair.publicKey)),
        enc: plain(enc),
        sharedSecret: plain(sharedSecret),
        decapsulated: plain(await hpkeSuite.kem.decap({ enc, recipientKey: recipient.keyPair })),
      });
    }
    for (const result of results) {
      assert.deepEqual(result, {
        sk: v.skRm,
        pk: v.pkRm,
        enc: v.enc,
        sharedSecret: v.shared_secret,
        decapsulated: v.shared_secret,
      });
    }
  });

  it('moves keys in and out of node:crypto with the raw formats (this Node) and the portable ones alike', () => {
    const { raw, portable } = nodeX25519Codecs(nodeCrypto);
    assert.ok(raw, 'this Node has the raw key formats');
    for (let i = 0; i < 10; i++) {
      const secret = x25519.utils.randomSecretKey();
      const peer = x25519.utils.randomSecretKey();
      const peerPublic = x25519.getPublicKey(peer);
      const expected = x25519.getSharedSecret(secret, peerPublic);
      for (const [a, b] of [
        [raw, portable],
        [portable, raw],
        [portable, portable],
      ] as const) {
        const privateKey = a.importPrivate(secret);
        assert.deepEqual(new Uint8Array(a.exportPrivate(privateKey)), secret);
        assert.deepEqual(
          new Uint8Array(b.exportPublic(nodeCrypto.createPublicKey(privateKey))),
          x25519.getPublicKey(secret),
        );
        const publicKey = b.importPublic(peerPublic);
        assert.deepEqual(new Uint8Array(a.exportPublic(publicKey)), peerPublic);
        assert.deepEqual(new Uint8Array(nodeCrypto.diffieHellman({ privateKey, publicKey })), expected);
      }
    }
  });

  it('refuses, under node, keys imported under WebCrypto (no silent misuse)', async () => {
    const keys = generateEncryptionKeyPair();
    setHpkeBackend('webcrypto');
    const publicKey = await importHpkePublicKey(keys.publicKey);
    setHpkeBackend('node');
    await assert.rejects(sealToPublicKey(publicKey, new Uint8Array(1)));
  });
});
