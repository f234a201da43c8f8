// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarginHub} from "./interfaces/IMarginHub.sol";
import {IWormhole} from "./interfaces/IWormhole.sol";
import {
    IGroth16Verifier, IPoseidon1, IVerifierBinding, SolvencyProof, SolvencySignals as S
} from "./interfaces/ISolvencyVerifier.sol";
import {XMarginPayloads as P} from "./libraries/XMarginPayloads.sol";
import {WormholeReceiver} from "./WormholeReceiver.sol";

/// @title MarginHub (see IMarginHub)
contract MarginHub is IMarginHub, WormholeReceiver, Ownable2Step, Pausable {
    struct LedgerEntry {
        uint256 balance;
        /// @dev 1 + the Wormhole sequence of the update that set it (0: none yet), so that
        ///      an older update delivered late never overwrites a newer one.
        uint64 nextSequence;
        /// @dev The sum of the outstanding payouts from this entry (E2). Packed with nextSequence,
        ///      so a reservation updates a slot that the entry's first update already wrote;
        ///      2^192 base units is beyond any token's supply (SafeCast reverts past it).
        uint192 reserved;
    }

    struct Roots {
        bytes32 stateRoot;
        bytes32 marketRoot;
    }

    /// @notice Bounds of payoutLifetime. The floor covers the hub's finality (guardians sign our
    ///         messages once finalized, about 15 minutes on Ethereum), relaying and inclusion on
    ///         the target chain with room to spare; the ceiling bounds how long an approval,
    ///         checked against the live state when it was made (E7), stays payable.
    uint32 public constant MIN_PAYOUT_LIFETIME = 1 hours;
    uint32 public constant MAX_PAYOUT_LIFETIME = 7 days;

    /// @notice Leaf indices of the depth-20 state tree the circuit opens.
    uint64 public constant STATE_CAPACITY = 1 << 20;
    /// @notice The largest maxEpochStep: epochs can still advance 2^64 / 2^32 times past any epoch.
    uint64 public constant MAX_EPOCH_STEP = 1 << 32;

    /// @notice Poseidon with one input: binds a proof's accountIdHash to an address.
    IPoseidon1 public immutable accountHasher;
    address public operator;
    /// @inheritdoc IMarginHub
    /// @dev Packed with operator: approveWithdrawal reads both.
    uint32 public payoutLifetime = 1 days;
    uint64 public latestEpoch;
    uint64 public nextPayoutId = 1;
    /// @inheritdoc IVerifierBinding
    /// @dev Packed with nextPayoutId: liquidate reads both, so the verifier costs a warm read.
    IGroth16Verifier public verifier;
    /// @inheritdoc IMarginHub
    /// @dev Packed with nextPayoutId and verifier: a first credit adds one warm-slot write.
    uint32 public accountCount;

    /// @notice The trusted vault emitter of each Wormhole chain.
    mapping(uint16 chain => bytes32) public vaultEmitter;
    mapping(address account => mapping(uint16 chain => mapping(address token => LedgerEntry))) private _ledger;
    mapping(uint64 epoch => Roots) private _roots;
    mapping(uint64 id => Payout) private _payouts;
    /// @dev Leaf index + 1 (0: none yet) (E4).
    mapping(address account => uint64) private _leafIndexPlusOne;
    /// @inheritdoc IMarginHub
    uint64 public maxEpochStep = 1;

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        _;
    }

    constructor(
        IWormhole core,
        address owner_,
        address operator_,
        IPoseidon1 accountHasher_
    ) WormholeReceiver(core) Ownable(owner_) {
        if (address(accountHasher_) == address(0)) revert ZeroAddress();
        _setOperator(operator_);
        accountHasher = accountHasher_;
    }

    /// @inheritdoc IVerifierBinding
    function bindVerifier(IGroth16Verifier verifier_) external onlyOwner {
        if (address(verifier) != address(0)) revert VerifierAlreadyBound(address(verifier));
        if (address(verifier_) == address(0)) revert ZeroAddress();
        verifier = verifier_;
        emit VerifierBound(address(verifier_));
    }

    /// @inheritdoc IMarginHub
    function setOperator(address operator_) external onlyOwner {
        _setOperator(operator_);
    }

    /// @inheritdoc IMarginHub
    function setPayoutLifetime(uint32 lifetime) external onlyOwner {
        if (lifetime < MIN_PAYOUT_LIFETIME || lifetime > MAX_PAYOUT_LIFETIME) {
            revert PayoutLifetimeOutOfRange(lifetime, MIN_PAYOUT_LIFETIME, MAX_PAYOUT_LIFETIME);
        }
        payoutLifetime = lifetime;
        emit PayoutLifetimeChanged(lifetime);
    }

    /// @inheritdoc IMarginHub
    function registerVault(uint16 chain, bytes32 emitter) external onlyOwner {
        if (emitter == bytes32(0)) revert ZeroAddress();
        vaultEmitter[chain] = emitter;
        emit VaultRegistered(chain, emitter);
    }

    /// @inheritdoc IMarginHub
    function ingestCollateralUpdate(bytes calldata encodedVaa) external {
        IWormhole.VM memory vm = _verified(encodedVaa);
        _consumeIfFrom(vm, vm.emitterChainId, vaultEmitter[vm.emitterChainId]);
        uint8 kind = P.kindOf(vm.payload);
        if (kind != P.KIND_COLLATERAL_UPDATE) revert UnexpectedKind(kind);
        P.CollateralUpdate memory u = P.decodeCollateralUpdate(vm.payload);
        if (u.chain != vm.emitterChainId) revert WrongTarget(u.chain, address(0));

        LedgerEntry storage entry = _ledger[u.account][u.chain][u.token];
        // Deliveries may arrive out of order: a newer absolute balance wins.
        bool applied = vm.sequence >= entry.nextSequence;
        if (applied) {
            entry.balance = u.balance;
            entry.nextSequence = vm.sequence + 1;
        }
        if (u.action == P.ACTION_DEPOSIT && _leafIndexPlusOne[u.account] == 0) _index(u.account);
        emit CollateralUpdated(u.account, u.chain, u.token, u.balance, vm.sequence, applied);
        // Settled whether or not the balance applied: a newer update already reflects the payout.
        if (u.action != P.ACTION_DEPOSIT) _settle(u, entry);
    }

    /// @inheritdoc IMarginHub
    function ingestCollateralUpdates(bytes[] calldata encodedVaas) external {
        for (uint256 i = 0; i < encodedVaas.length; i++) {
            // an external self-call, so that one bad VAA reverts alone
            try this.ingestCollateralUpdate(encodedVaas[i]) {}
            catch (bytes memory reason) {
                emit CollateralUpdateSkipped(i, reason);
            }
        }
    }

    /// @inheritdoc IMarginHub
    function postEpoch(uint64 epoch, bytes32 stateRoot, bytes32 marketRoot)
        external
        payable
        onlyOperator
        returns (uint64 sequence)
    {
        uint64 latest = latestEpoch;
        if (epoch <= latest) revert EpochNotIncreasing(latest, epoch);
        if (epoch - latest > maxEpochStep) revert EpochStepTooLarge(latest, epoch, maxEpochStep);
        latestEpoch = epoch;
        _roots[epoch] = Roots({stateRoot: stateRoot, marketRoot: marketRoot});
        sequence = _publish(
            P.encodeEpochRoot(
                P.EpochRoot({epoch: epoch, stateRoot: stateRoot, marketRoot: marketRoot, postedAt: uint64(block.timestamp)})
            )
        );
        emit EpochPosted(epoch, stateRoot, marketRoot, sequence);
    }

    /// @inheritdoc IMarginHub
    function approveWithdrawal(uint16 chain, address account, address token, uint256 amount)
        external
        payable
        onlyOperator
        whenNotPaused
        returns (uint64 sequence)
    {
        P.Payout memory p = _payout(chain, account, token, amount, account, 0);
        sequence = _publish(P.encodeWithdrawalApproval(p));
        emit WithdrawalApproved(p.id, account, chain, token, amount, p.expiry, sequence);
    }

    /// @inheritdoc IMarginHub
    function liquidate(
        SolvencyProof calldata proof,
        uint256[7] calldata signals,
        uint16 chain,
        address account,
        address token,
        uint256 amount,
        address recipient
    ) external payable onlyOperator whenNotPaused returns (uint64 sequence) {
        if (recipient == address(0)) revert ZeroAddress();
        uint64 epoch = _checkProof(proof, signals, account);
        P.Payout memory p = _payout(chain, account, token, amount, recipient, epoch);
        sequence = _publish(P.encodeLiquidation(p));
        emit LiquidationPublished(p.id, account, chain, token, amount, recipient, epoch, p.expiry, sequence);
    }

    /// @inheritdoc IMarginHub
    function publishAccountIndices(address[] calldata accounts) external payable returns (uint64 sequence) {
        if (accounts.length == 0 || accounts.length > P.MAX_ACCOUNT_INDICES) {
            revert AccountIndicesCount(accounts.length);
        }
        uint64 first = _leafIndexPlusOne[accounts[0]];
        bytes32[] memory hashes = new bytes32[](accounts.length);
        for (uint256 i = 0; i < accounts.length; i++) {
            // consecutive indices, so that the payload names only the first
            if (first == 0 || _leafIndexPlusOne[accounts[i]] != first + i) revert NotIndexedInOrder(i, accounts[i]);
            hashes[i] = bytes32(accountHasher.poseidon([uint256(uint160(accounts[i]))]));
        }
        sequence = _publish(P.encodeAccountIndices(P.AccountIndices({first: first - 1, accountIdHashes: hashes})));
        emit AccountIndicesPublished(first - 1, accounts.length, sequence);
    }

    /// @inheritdoc IMarginHub
    function leafIndexOf(address account) external view returns (bool assigned, uint64 index) {
        uint64 plusOne = _leafIndexPlusOne[account];
        return plusOne == 0 ? (false, 0) : (true, plusOne - 1);
    }

    /// @inheritdoc IMarginHub
    function setMaxEpochStep(uint64 step) external onlyOwner {
        if (step == 0 || step > MAX_EPOCH_STEP) revert EpochStepOutOfRange(step);
        maxEpochStep = step;
        emit MaxEpochStepChanged(step);
    }

    /// @inheritdoc IMarginHub
    function epochRoots(uint64 epoch) external view returns (bytes32 stateRoot, bytes32 marketRoot) {
        Roots storage r = _roots[epoch];
        return (r.stateRoot, r.marketRoot);
    }

    /// @inheritdoc IMarginHub
    function collateral(address account, uint16 chain, address token) external view returns (uint256) {
        return _ledger[account][chain][token].balance;
    }

    /// @inheritdoc IMarginHub
    function reserved(address account, uint16 chain, address token) external view returns (uint256) {
        return _ledger[account][chain][token].reserved;
    }

    /// @inheritdoc IMarginHub
    function payout(uint64 id) external view returns (Payout memory) {
        return _payouts[id];
    }

    /// @inheritdoc IMarginHub
    function pause() external onlyOwner {
        _pause();
    }

    /// @inheritdoc IMarginHub
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @dev A payout from `account`'s collateral in the vault on `chain`, reserved on the ledger
    ///      entry (E2) and expiring payoutLifetime from now (E3); epoch 0 is a withdrawal.
    function _payout(uint16 chain, address account, address token, uint256 amount, address recipient, uint64 epoch)
        private
        returns (P.Payout memory p)
    {
        bytes32 vault = vaultEmitter[chain];
        if (vault == bytes32(0)) revert VaultNotRegistered(chain);
        if (amount == 0) revert ZeroAmount();
        LedgerEntry storage entry = _ledger[account][chain][token];
        uint256 balance = entry.balance;
        uint256 held = entry.reserved;
        // A newer update may land before an older payout's report (then the ledger already
        // shows the payout and its reservation is still held): nothing is free until it settles.
        if (held > balance || balance - held < amount) {
            revert InsufficientLedgerBalance(account, chain, token, balance, held, amount);
        }
        entry.reserved = SafeCast.toUint192(held + amount);
        p = P.Payout({
            targetChain: chain,
            vault: address(uint160(uint256(vault))),
            id: nextPayoutId++,
            account: account,
            token: token,
            amount: amount,
            expiry: uint64(block.timestamp) + payoutLifetime,
            recipient: recipient,
            epoch: epoch
        });
        _payouts[p.id] = Payout({
            account: account,
            chain: chain,
            expiry: p.expiry,
            status: PayoutStatus.Outstanding,
            seizure: epoch != 0,
            token: token,
            amount: amount
        });
    }

    /// @dev Settle the payout a vault report names, if it is outstanding and the report matches
    ///      it (same chain, account, token, amount and kind); a report for anything else, or a
    ///      second report, changes nothing. `entry` is the report's ledger entry.
    function _settle(P.CollateralUpdate memory u, LedgerEntry storage entry) private {
        Payout storage r = _payouts[u.payoutId];
        bool paid = u.action == P.ACTION_WITHDRAWAL || u.action == P.ACTION_SEIZURE;
        bool matches = r.status == PayoutStatus.Outstanding && r.chain == u.chain && r.account == u.account
            && r.token == u.token && r.amount == u.amount && (!paid || r.seizure == (u.action == P.ACTION_SEIZURE));
        if (!matches) {
            emit PayoutReportIgnored(u.payoutId, u.chain);
            return;
        }
        PayoutStatus status = paid
            ? PayoutStatus.Paid
            : u.action == P.ACTION_REFUSED_EXPIRED ? PayoutStatus.Expired : PayoutStatus.RefusedInsufficientBalance;
        r.status = status;
        // The entry is r's (same account, chain, token), and r.amount is part of its reservation.
        entry.reserved -= uint192(u.amount);
        emit PayoutSettled(u.payoutId, u.account, u.chain, u.token, u.amount, status);
    }

    /// @dev A valid liquidatable proof about `account`, at its leaf index, against the latest epoch's roots.
    function _checkProof(SolvencyProof calldata proof, uint256[7] calldata signals, address account)
        private
        view
        returns (uint64 epoch)
    {
        if (signals[S.EPOCH] > type(uint64).max) revert UnknownEpoch(type(uint64).max);
        epoch = uint64(signals[S.EPOCH]);
        Roots storage r = _roots[epoch];
        if (r.stateRoot == bytes32(0)) revert UnknownEpoch(epoch);
        if (epoch < latestEpoch) revert StaleEpoch(epoch, latestEpoch);
        if (bytes32(signals[S.STATE_ROOT]) != r.stateRoot || bytes32(signals[S.MARKET_ROOT]) != r.marketRoot) {
            revert RootMismatch(epoch);
        }
        uint256 idHash = accountHasher.poseidon([uint256(uint160(account))]);
        if (signals[S.ACCOUNT_ID_HASH] != idHash) revert WrongAccount(account, bytes32(signals[S.ACCOUNT_ID_HASH]));
        uint64 plusOne = _leafIndexPlusOne[account];
        if (plusOne == 0 || signals[S.LEAF_INDEX] != plusOne - 1) {
            revert WrongLeafIndex(bytes32(idHash), signals[S.LEAF_INDEX]);
        }
        if (signals[S.COVERS_MAINTENANCE] != 0) revert NotLiquidatable(account, epoch);
        IGroth16Verifier v = verifier;
        if (address(v) == address(0)) revert VerifierNotBound();
        if (!v.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
    }

    /// @dev The next leaf index to `account`, on its first credit.
    function _index(address account) private {
        uint32 index = accountCount;
        // The deposit still reaches the ledger (and can be withdrawn): only proving waits.
        if (index >= STATE_CAPACITY) {
            emit AccountNotIndexed(account);
            return;
        }
        accountCount = index + 1;
        _leafIndexPlusOne[account] = uint64(index) + 1;
        emit AccountIndexed(account, index);
    }

    function _setOperator(address operator_) private {
        if (operator_ == address(0)) revert ZeroAddress();
        operator = operator_;
        emit OperatorChanged(operator_);
    }
}
