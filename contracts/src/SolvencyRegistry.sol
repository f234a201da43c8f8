// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {ISolvencyRegistry} from "./interfaces/ISolvencyRegistry.sol";
import {IWormhole} from "./interfaces/IWormhole.sol";
import {XMarginPayloads as P} from "./libraries/XMarginPayloads.sol";
import {WormholeReceiver} from "./WormholeReceiver.sol";

/// @title SolvencyRegistry (see ISolvencyRegistry)
contract SolvencyRegistry is ISolvencyRegistry, WormholeReceiver {
    uint16 public immutable hubChain;
    bytes32 public immutable hubEmitter;
    uint64 public latestEpoch;

    mapping(uint64 epoch => Roots) private _roots;

    constructor(IWormhole core, uint16 hubChain_, bytes32 hubEmitter_) WormholeReceiver(core) {
        if (hubEmitter_ == bytes32(0)) revert ZeroAddress();
        hubChain = hubChain_;
        hubEmitter = hubEmitter_;
    }

    /// @inheritdoc ISolvencyRegistry
    function receiveEpochRoot(bytes calldata encodedVaa) external {
        IWormhole.VM memory vm = _consumeFrom(encodedVaa, hubChain, hubEmitter);
        uint8 kind = P.kindOf(vm.payload);
        if (kind != P.KIND_EPOCH_ROOT) revert UnexpectedKind(kind);
        P.EpochRoot memory r = P.decodeEpochRoot(vm.payload);
        _roots[r.epoch] = Roots({stateRoot: r.stateRoot, marketRoot: r.marketRoot, postedAt: r.postedAt});
        if (r.epoch > latestEpoch) latestEpoch = r.epoch;
        emit EpochRootReceived(r.epoch, r.stateRoot, r.marketRoot);
    }

    /// @inheritdoc ISolvencyRegistry
    function roots(uint64 epoch) external view returns (bytes32 stateRoot, bytes32 marketRoot, uint64 postedAt) {
        Roots storage r = _roots[epoch];
        return (r.stateRoot, r.marketRoot, r.postedAt);
    }
}
