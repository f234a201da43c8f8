// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A devnet ERC-20 with chosen decimals and an open faucet
/// @notice For local chains only: anyone may mint up to `faucetLimit` per call.
contract TestToken is ERC20 {
    uint8 private immutable _decimals;
    uint256 public immutable faucetLimit;

    /// @notice More than faucetLimit was asked for in one call.
    error FaucetLimitExceeded(uint256 limit, uint256 requested);

    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 faucetLimit_)
        ERC20(name_, symbol_)
    {
        _decimals = decimals_;
        faucetLimit = faucetLimit_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mint `amount` to `to`.
    function faucet(address to, uint256 amount) external {
        if (amount > faucetLimit) revert FaucetLimitExceeded(faucetLimit, amount);
        _mint(to, amount);
    }
}
