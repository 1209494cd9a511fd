import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSolidity, parseTypeString, SolidityCompilationError } from '../scripts/compile.ts';

describe('compile script', () => {
  it('splits an EIP-712 type string into its primary type and dependencies', () => {
    assert.deepEqual(
      parseTypeString('Propose(uint8 category,Requirement[] requirements)Requirement(uint8 role,bool same)'),
      {
        Propose: [
          { name: 'category', type: 'uint8' },
          { name: 'requirements', type: 'Requirement[]' },
        ],
        Requirement: [
          { name: 'role', type: 'uint8' },
          { name: 'same', type: 'bool' },
        ],
      },
    );
  });

  it('rejects a malformed type string', () => {
    for (const typeString of ['Revoke(address patient', 'Revoke(address)', 'Revoke(address a)extra']) {
      assert.throws(() => parseTypeString(typeString), SolidityCompilationError, typeString);
    }
  });

  it('reads the typed data of a contract and its bases, and the Vocabulary codes, from the sources', () => {
    const source = `pragma solidity ^0.8.28;
      library Vocabulary { uint8 internal constant ROLE_ADMIN = 6; uint8 internal constant ALL = ROLE_ADMIN | 1; }
      abstract contract Base {
        bytes32 private constant PING_TYPEHASH = keccak256("Ping(uint256 nonce)");
        constructor(string memory name) {}
      }
      contract Pinger is Base {
        bytes32 private constant PONG_TYPEHASH = keccak256("Pong(address to,uint256 nonce)");
        constructor() Base("x") {}
        function admin() external pure returns (uint8) { return Vocabulary.ROLE_ADMIN; }
      }`;
    const { contracts, vocabulary } = compileSolidity({ 'Pinger.sol': source });
    assert.deepEqual(
      contracts.map(({ name, types }) => ({ name, types })),
      [
        {
          name: 'Pinger',
          types: {
            Pong: [
              { name: 'to', type: 'address' },
              { name: 'nonce', type: 'uint256' },
            ],
            Ping: [{ name: 'nonce', type: 'uint256' }],
          },
        },
      ],
    );
    assert.deepEqual(vocabulary, { ROLE_ADMIN: 6 });
  });
});
