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

    event EpochRootReceived(uint64 indexed epoch, bytes32 stateRoot, bytes32 marketRoot);
    /// @notice A valid proof about an account was checked; `solvent` is equity >= maintenance margin.
    event SolvencyVerified(bytes32 indexed accountIdHash, uint64 indexed epoch, bool solvent, bool coversInitial);

    /// @notice Store the roots carried by an epoch-root VAA from the hub.
    function receiveEpochRoot(bytes calldata encodedVaa) external;

    /// @notice The roots of an epoch (zero if unknown).
    function roots(uint64 epoch) external view returns (bytes32 stateRoot, bytes32 marketRoot, uint64 postedAt);

    /// @notice Check a proof against the roots of the latest epoch; reverts unless it is valid
    ///         (VerifierNotBound before the owner bound the verifier).
    /// @param signals coversMaintenance, coversInitial, stateRoot, marketRoot, epoch, accountIdHash
    /// @return solvent Whether the proof shows equity >= maintenance margin (then it is remembered).
    function verifySolvency(SolvencyProof calldata proof, uint256[6] calldata signals) external returns (bool solvent);

    /// @notice Whether the account proved solvent at `minEpoch` or later.
    function isSolvent(bytes32 accountIdHash, uint64 minEpoch) external view returns (bool);

    /// @notice The latest epoch at which the account proved solvent (0: never).
    function solventEpoch(bytes32 accountIdHash) external view returns (uint64);

    /// @notice The highest epoch received.
    function latestEpoch() external view returns (uint64);
}
