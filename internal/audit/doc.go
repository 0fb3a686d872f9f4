// Package audit keeps the access log legal can trust: it turns each access
// event into a canonical leaf, folds the leaves into an RFC 6962 Merkle tree,
// proves inclusion and consistency, and signs checkpoints of the tree with
// Ed25519 so the log can be verified offline, without the server.
//
// The leaf format, the tree, the proofs and the checkpoints are pure: they
// touch no database, clock or network, and the sealer and the verifier build
// on them.
//
//   - Leaves: [EncodeLeaf] writes every field of a [cordon.AccessEvent] as
//     canonical JSON and [DecodeLeaf] accepts exactly those bytes back.
//   - Tree: [LeafHash], [NodeHash] and [Root] are RFC 6962 §2.1 (RFC 9162
//     §2.1.1); [Compact] appends leaf hashes and gives the root in
//     O(log n) memory, and its state can be saved and restored as bytes.
//   - Proofs: [InclusionProof] and [ConsistencyProof] build RFC 6962 PATH and
//     PROOF from the leaf hashes; [VerifyInclusion] and [VerifyConsistency]
//     follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.
//   - Checkpoints: [Checkpoint] is the transparency-log checkpoint body
//     (origin, size, root, plus a "time" extension line), signed as a
//     golang.org/x/mod/sumdb/note with [SignCheckpoint] and checked with
//     [OpenCheckpoint].
//
// Failures to verify wrap [ErrInvalidProof], [ErrInvalidLeaf] or
// [ErrInvalidCheckpoint], all *cordon.Error with code EINVALID, so callers
// can test for them with errors.Is.
package audit
