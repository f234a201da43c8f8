// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {IWormholeReceiver} from "./IWormholeReceiver.sol";

/// @title SolvencyRegistry: the hub's epoch roots, kept on every chain
/// @notice Accepts epoch-root VAAs from the hub emitter only. Solvency proofs are
///         checked against these roots (added with the circuits).
interface ISolvencyRegistry is IWormholeReceiver {
    struct Roots {
        bytes32 stateRoot;
        bytes32 marketRoot;
        uint64 postedAt;
    }

    event EpochRootReceived(uint64 indexed epoch, bytes32 stateRoot, bytes32 marketRoot);

    /// @notice Store the roots carried by an epoch-root VAA from the hub.
    function receiveEpochRoot(bytes calldata encodedVaa) external;

    /// @notice The roots of an epoch (zero if unknown).
    function roots(uint64 epoch) external view returns (bytes32 stateRoot, bytes32 marketRoot, uint64 postedAt);

    /// @notice The highest epoch received.
    function latestEpoch() external view returns (uint64);
}
