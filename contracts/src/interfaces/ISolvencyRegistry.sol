// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {ISolvencyProofErrors, IVerifierBinding, SolvencyProof} from "./ISolvencyVerifier.sol";
import {IWormholeReceiver} from "./IWormholeReceiver.sol";

/// @title SolvencyRegistry: the hub's epoch roots, kept on every chain
/// @notice Accepts epoch-root VAAs from the hub emitter only, checks solvency proofs
///         against the latest of those roots and remembers which accounts proved solvent.
///         Proofs are checked by the verifier the owner bound once (until then verifySolvency
///         reverts VerifierNotBound); the owner has no other power here.
interface ISolvencyRegistry is IWormholeReceiver, ISolvencyProofErrors, IVerifierBinding {
    struct Roots {
        bytes32 stateRoot;
        bytes32 marketRoot;
        uint64 postedAt;
    }

    /// @notice The epoch was posted longer than maxEpochAge ago (by this chain's clock): its
    ///         proofs attest to nothing current (E8).
    error EpochTooOld(uint64 epoch, uint64 postedAt, uint64 maxAge);
    /// @notice The maximum epoch age must lie in [MIN_EPOCH_AGE, MAX_EPOCH_AGE] seconds.
    error EpochAgeOutOfRange(uint64 maxAge);

    event EpochRootReceived(uint64 indexed epoch, bytes32 stateRoot, bytes32 marketRoot);
    /// @notice The hub's leaf indices first..first+count-1 were stored (E4).
    event AccountIndicesReceived(uint64 first, uint256 count);
    event MaxEpochAgeChanged(uint64 maxAge);
    /// @notice A valid proof about an account was checked; `solvent` is equity >= maintenance margin.
    event SolvencyVerified(bytes32 indexed accountIdHash, uint64 indexed epoch, bool solvent, bool coversInitial);

    /// @notice Store the roots carried by an epoch-root VAA from the hub.
    function receiveEpochRoot(bytes calldata encodedVaa) external;

    /// @notice Store the leaf indices carried by an account-indices VAA from the hub (E4).
    function receiveAccountIndices(bytes calldata encodedVaa) external;

    /// @notice The leaf index the hub assigned the account (E4), once its VAA arrived here.
    function leafIndexOf(bytes32 accountIdHash) external view returns (bool assigned, uint64 index);

    /// @notice Set the maximum age of an epoch whose proofs count (owner only), in
    ///         [MIN_EPOCH_AGE, MAX_EPOCH_AGE] seconds.
    function setMaxEpochAge(uint64 maxAge) external;

    /// @notice Seconds after its posting (the hub's timestamp, read on this chain's clock)
    ///         that an epoch's proofs are accepted and its attestations count (E8).
    function maxEpochAge() external view returns (uint64);

    /// @notice The roots of an epoch (zero if unknown).
    function roots(uint64 epoch) external view returns (bytes32 stateRoot, bytes32 marketRoot, uint64 postedAt);

    /// @notice Check a proof against the roots of the latest epoch; reverts unless it is valid,
    ///         at the account's leaf index (E4), about an epoch not older than maxEpochAge (E8)
    ///         (VerifierNotBound before the owner bound the verifier).
    /// @param signals coversMaintenance, coversInitial, stateRoot, marketRoot, epoch, accountIdHash,
    ///        leafIndex
    /// @return solvent Whether the proof shows equity >= maintenance margin (then it is remembered).
    function verifySolvency(SolvencyProof calldata proof, uint256[7] calldata signals) external returns (bool solvent);

    /// @notice Whether the account proved solvent at `minEpoch` or later, in an epoch not older
    ///         than maxEpochAge now (E8): an attestation goes stale when no newer epoch proves it,
    ///         and ends at once when a valid proof shows the account below maintenance margin at
    ///         that epoch or a later one. Protocols should pass the latest epoch as minEpoch.
    function isSolvent(bytes32 accountIdHash, uint64 minEpoch) external view returns (bool);

    /// @notice The latest epoch at which the account proved solvent (0: never).
    function solventEpoch(bytes32 accountIdHash) external view returns (uint64);

    /// @notice The highest epoch received.
    function latestEpoch() external view returns (uint64);
}
