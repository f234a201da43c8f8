// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ISolvencyRegistry} from "./interfaces/ISolvencyRegistry.sol";
import {IWormhole} from "./interfaces/IWormhole.sol";
import {
    IGroth16Verifier, IVerifierBinding, SolvencyProof, SolvencySignals as S
} from "./interfaces/ISolvencyVerifier.sol";
import {XMarginPayloads as P} from "./libraries/XMarginPayloads.sol";
import {WormholeReceiver} from "./WormholeReceiver.sol";

/// @title SolvencyRegistry (see ISolvencyRegistry)
contract SolvencyRegistry is ISolvencyRegistry, WormholeReceiver, Ownable2Step {
    uint16 public immutable hubChain;
    bytes32 public immutable hubEmitter;
    uint64 public latestEpoch;
    /// @inheritdoc IVerifierBinding
    /// @dev Packed with latestEpoch: verifySolvency reads both, so the verifier costs a warm read.
    IGroth16Verifier public verifier;

    /// @notice Bounds of maxEpochAge: above the time a hub message takes to be signed (the
    ///         guardians wait for the hub's finality, ~15 minutes on Ethereum) and relayed, so a
    ///         proof can meet it; at most a month.
    uint64 public constant MIN_EPOCH_AGE = 30 minutes;
    uint64 public constant MAX_EPOCH_AGE = 30 days;
    /// @inheritdoc ISolvencyRegistry
    uint64 public maxEpochAge = 1 hours;

    mapping(uint64 epoch => Roots) private _roots;
    mapping(bytes32 accountIdHash => uint64) public solventEpoch;
    /// @dev Leaf index + 1 (0: not received).
    mapping(bytes32 accountIdHash => uint64) private _leafIndexPlusOne;

    constructor(IWormhole core, uint16 hubChain_, bytes32 hubEmitter_, address owner_)
        WormholeReceiver(core)
        Ownable(owner_)
    {
        if (hubEmitter_ == bytes32(0)) revert ZeroAddress();
        hubChain = hubChain_;
        hubEmitter = hubEmitter_;
    }

    /// @inheritdoc IVerifierBinding
    function bindVerifier(IGroth16Verifier verifier_) external onlyOwner {
        if (address(verifier) != address(0)) revert VerifierAlreadyBound(address(verifier));
        if (address(verifier_) == address(0)) revert ZeroAddress();
        verifier = verifier_;
        emit VerifierBound(address(verifier_));
    }

    /// @inheritdoc ISolvencyRegistry
    function verifySolvency(SolvencyProof calldata proof, uint256[7] calldata signals) external returns (bool solvent) {
        if (signals[S.EPOCH] > type(uint64).max) revert UnknownEpoch(type(uint64).max);
        uint64 epoch = uint64(signals[S.EPOCH]);
        Roots storage r = _roots[epoch];
        if (r.stateRoot == bytes32(0)) revert UnknownEpoch(epoch);
        if (epoch < latestEpoch) revert StaleEpoch(epoch, latestEpoch);
        if (bytes32(signals[S.STATE_ROOT]) != r.stateRoot || bytes32(signals[S.MARKET_ROOT]) != r.marketRoot) {
            revert RootMismatch(epoch);
        }
        if (!_fresh(r.postedAt)) revert EpochTooOld(epoch, r.postedAt, maxEpochAge);
        bytes32 account = bytes32(signals[S.ACCOUNT_ID_HASH]);
        uint64 plusOne = _leafIndexPlusOne[account];
        if (plusOne == 0 || signals[S.LEAF_INDEX] != plusOne - 1) revert WrongLeafIndex(account, signals[S.LEAF_INDEX]);
        IGroth16Verifier v = verifier;
        if (address(v) == address(0)) revert VerifierNotBound();
        if (!v.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
        solvent = signals[S.COVERS_MAINTENANCE] == 1;
        uint64 at = solventEpoch[account];
        // the latest word wins: a proof of insolvency at or after the attestation ends it
        if (solvent && epoch > at) solventEpoch[account] = epoch;
        else if (!solvent && at != 0 && epoch >= at) delete solventEpoch[account];
        emit SolvencyVerified(account, epoch, solvent, signals[S.COVERS_INITIAL] == 1);
    }

    /// @inheritdoc ISolvencyRegistry
    function isSolvent(bytes32 accountIdHash, uint64 minEpoch) external view returns (bool) {
        uint64 at = solventEpoch[accountIdHash];
        return at != 0 && at >= minEpoch && _fresh(_roots[at].postedAt);
    }

    /// @inheritdoc ISolvencyRegistry
    function receiveAccountIndices(bytes calldata encodedVaa) external {
        IWormhole.VM memory vm = _consumeFrom(encodedVaa, hubChain, hubEmitter);
        uint8 kind = P.kindOf(vm.payload);
        if (kind != P.KIND_ACCOUNT_INDICES) revert UnexpectedKind(kind);
        P.AccountIndices memory a = P.decodeAccountIndices(vm.payload);
        for (uint256 i = 0; i < a.accountIdHashes.length; i++) {
            _leafIndexPlusOne[a.accountIdHashes[i]] = a.first + uint64(i) + 1;
        }
        emit AccountIndicesReceived(a.first, a.accountIdHashes.length);
    }

    /// @inheritdoc ISolvencyRegistry
    function leafIndexOf(bytes32 accountIdHash) external view returns (bool assigned, uint64 index) {
        uint64 plusOne = _leafIndexPlusOne[accountIdHash];
        return plusOne == 0 ? (false, 0) : (true, plusOne - 1);
    }

    /// @inheritdoc ISolvencyRegistry
    function setMaxEpochAge(uint64 maxAge) external onlyOwner {
        if (maxAge < MIN_EPOCH_AGE || maxAge > MAX_EPOCH_AGE) revert EpochAgeOutOfRange(maxAge);
        maxEpochAge = maxAge;
        emit MaxEpochAgeChanged(maxAge);
    }

    /// @dev Posted at most maxEpochAge ago; a hub clock ahead of this chain's counts as now.
    function _fresh(uint64 postedAt) private view returns (bool) {
        return block.timestamp <= uint256(postedAt) + maxEpochAge;
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
