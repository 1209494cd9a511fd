import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Category, categories } from '../vocabulary.ts';
import { categoryMismatch, categoryResourceTypes, r4ResourceTypes } from './resourceTypes.ts';

/** Categories whose types no other category holds: a grant for one reveals none of the others' records. */
const disjoint: Category[] = ['demographics', 'administrative', 'careplan', 'other'];

describe('categoryResourceTypes', () => {
  it('gives every R4 resource type a category', () => {
    const held = new Set(categories.flatMap((category) => categoryResourceTypes[category]));
    assert.deepEqual(
      [...r4ResourceTypes].filter((resourceType) => !held.has(resourceType)),
      [],
    );
    assert.deepEqual(
      [...held].filter((resourceType) => !r4ResourceTypes.has(resourceType)),
      [],
    );
  });

  it('keeps the types of demographics, administrative, careplan and other to themselves', () => {
    for (const category of disjoint) {
      for (const resourceType of categoryResourceTypes[category]) {
        const holders = categories.filter((other) => categoryResourceTypes[other].includes(resourceType));
        assert.deepEqual(holders, [category], resourceType);
      }
    }
  });

  it('holds in other what no other category does, and nothing else', () => {
    const other = categoryResourceTypes.other;
    for (const resourceType of ['FamilyMemberHistory', 'QuestionnaireResponse', 'Provenance', 'Task']) {
      assert.ok(other.includes(resourceType), resourceType);
      assert.equal(categoryMismatch({ resourceType }, 'other'), undefined);
    }
    for (const resourceType of [
      'Patient',
      'Organization',
      'CarePlan',
      'Condition',
      'Observation',
      'Bundle',
    ]) {
      assert.ok(!other.includes(resourceType), resourceType);
    }
    assert.equal(
      categoryMismatch({ resourceType: 'Patient' }, 'other'),
      'Patient is not accepted for category other (expected a type no other category holds, or Bundle)',
    );
    assert.match(
      String(categoryMismatch({ resourceType: 'Goal' }, 'demographics')),
      /expected Patient, RelatedPerson, Person, Bundle/,
    );
  });
});
