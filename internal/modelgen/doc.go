// Package modelgen generates DataStore models from an Amplify GraphQL schema.
//
// It is a pure-Go port of the model generation the Amplify tool chain runs
// for transformer-v2 APIs: npm package @aws-amplify/appsync-modelgen-plugin
// 2.15.3 (AppSyncJSONVisitor with metadataTarget "javascript", and
// AppSyncModelIntrospectionVisitor), with the settings amplify-codegen uses:
// isTimestampFieldsAdded, emitAuthProvider, generateIndexRules,
// handleListNullabilityTransparently, usePipelinedTransformer,
// transformerVersion 2, respectPrimaryKeyAttributesOnConnectionField,
// improvePluralization false. [Generate] returns:
//
//   - Result.Models: the DataStore schema.js text
//     (`export const schema = {...};`, 4-space indented, ending with
//     "codegenVersion" and the MD5 "version" hash), byte for byte;
//   - Result.Introspection: the model introspection schema as compact JSON
//     with the reference's key order.
//
// # Parsing and validation
//
// The schema is parsed and validated with github.com/vektah/gqlparser/v2
// together with the Amplify directive definitions (internal/schema/directives.graphql, copied
// from @aws-amplify/graphql-directives 2.8.0 DefaultDirectives, as the
// reference appends them) and the AWS AppSync scalars AWSDate, AWSTime,
// AWSDateTime, AWSTimestamp, AWSEmail, AWSJSON, AWSURL, AWSPhone and
// AWSIPAddress. Errors name what is wrong and, where known, line:column.
// Like the reference, generation reads only type definitions as written:
// `extend type` extensions are validated but otherwise ignored.
//
// # Supported directives and options
//
//   - @model(queries, mutations, subscriptions, timestamps): model types;
//     arguments are copied to the "model" attribute; timestamps adds
//     createdAt/updatedAt (or the configured names; timestamps: null adds none).
//   - @primaryKey(sortKeyFields): custom primary keys ("key" attribute,
//     primaryKeyInfo, CustomId/OptionallyManagedId/ManagedId semantics).
//   - @index(name, sortKeyFields, queryField): secondary indexes ("key"
//     attributes; default names like postsByTitleAndDate).
//   - @hasOne, @hasMany, @belongsTo (fields, indexName, references) and
//     @manyToMany(relationName) with the generated join model; implicit
//     connection fields and the "gsi-Model.field" key for unidirectional
//     @hasMany; model-typed fields without a connection are dropped.
//   - @auth rules (owner with ownerField/identityClaim, static and dynamic
//     groups, public, private, custom; providers apiKey, iam, identityPool,
//     oidc, userPools, function; operations), completed with the reference's
//     defaults. Field-level @auth is accepted (it does not appear in the
//     output). The global rule `input AMPLIFY { globalAuthRule: ... }` is
//     accepted and skipped, as in the reference.
//   - @default, @searchable, @function, @http, @aws_* and the other Amplify
//     directives are accepted; model-level ones appear as model attributes.
//   - Enums, non-model object types (nested, lists), input types, unions and
//     interfaces (skipped where the introspection schema skips them),
//     custom Query/Mutation/Subscription fields with arguments, @generation
//     queries and @conversation mutations.
//   - Pluralization (pluralName, index names) follows npm pluralize 8.0.0;
//     casing helpers follow change-case 4.1.2.
//
// # How the output is checked
//
// docs/modelgen.md describes the same checks for users.
//
//   - TestCorpus: every schema in testdata/corpus (the reference corpus,
//     produced by e2e/modelgen-diff/reference/reference.js) must give Models byte-equal to the
//     expected "metadata" and Introspection equal, with the same key order, to
//     the expected "introspection" re-serialized compactly.
//   - TestInvalid: every schema in testdata/invalid must fail with a helpful
//     message.
//   - TestDifferential (run by e2e/modelgen-diff/run.sh from .ci/run, skipped
//     unless MODELGEN_REFERENCE_DIR is set): the hand-written edge cases of
//     testdata/edge (type extensions, unions and interfaces, empty types,
//     number formats, references, duplicate directives, ...) and a few
//     hundred random schemas from the seeded generator of package
//     modelgentest are run through both generators (the reference through
//     modelgentest/reference-batch.js, a sample also through reference.js
//     itself). Outputs must be identical, rejections must agree, our errors
//     must say where, and the reference must accept at least 70% of the
//     random schemas, so that a change of the generator cannot leave the
//     test comparing only errors.
//   - The same checks run end to end through the server and the aws-sdk-go
//     client in cmd/amplifybackendd: TestModelgenCorpusThroughAPI and
//     TestModelgenInvalidThroughAPI send the corpus and the invalid schemas
//     with CreateBackendAPI and with UpdateBackendAPI, run
//     GenerateBackendAPIModels and compare what GetBackendAPIModels returns
//     (an invalid schema's failed job must give the line:column and the
//     problem); TestModelgenDifferentialThroughAPI (also run by
//     e2e/modelgen-diff/run.sh) does the same with the differential
//     schemas, several apps at once.
//   - BenchmarkGenerate200Models measures a synthetic 200-model schema (goal:
//     under 50 ms; figures in docs/benchmarks.md).
package modelgen
